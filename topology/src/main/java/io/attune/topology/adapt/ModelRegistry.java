package io.attune.topology.adapt;

import io.attune.adaptation.bundle.ModelBundle;
import io.attune.adaptation.drift.ConfidenceCalibration;
import io.attune.adaptation.drift.DriftMonitor;
import io.attune.adaptation.drift.DriftReference;
import io.attune.adaptation.method.AdaptationMethod;
import io.attune.adaptation.method.Hyperparameters;
import io.attune.adaptation.method.Methods;
import io.attune.adaptation.model.InvalidModelException;
import io.attune.adaptation.runtime.AdaptationStep;
import io.attune.adaptation.runtime.RuntimeOptions;
import io.attune.topology.ModelCatalog;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker's models: every bundle of the catalog opened once, and ONNX Runtime sessions
 * created lazily, one set per stream thread, because a session's scratch buffers are not shared
 * between concurrent steps and Kafka Streams runs each task on exactly one thread.
 *
 * <p>With drift monitoring on, each model's {@link DriftReference} is calibrated when the
 * registry opens, by the source model over the bundle's clean source images and their labels
 * (a few seconds for 2,000 images). A bundle without them is adapted unmonitored: one warning
 * line, no failure, because monitoring is an addition to adaptation, not a condition of it.
 *
 * <p>Each stream thread also gets a monitor thread ({@link #onMonitorThread}), with sessions of
 * its own, on which a step's monitoring work runs while the stream thread runs the method.
 */
public final class ModelRegistry implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ModelRegistry.class);

  /**
   * What a monitored model's cohorts are measured against, the monitor that keeps each
   * cohort's detectors, guard and estimates (its state lives in a store, not here), and the
   * labelled source images on which the adapted model's confidence calibration is re-measured.
   */
  public record Drift(DriftReference reference, DriftMonitor monitor,
      ConfidenceCalibration calibration) {}

  private final ModelCatalog catalog;
  private final Map<String, ModelBundle> bundles;
  private final Map<String, Drift> drift;
  private final RuntimeOptions runtime;
  private final Map<String, ThreadModels> perThread = new ConcurrentHashMap<>();
  private final Map<Long, ExecutorService> monitorThreads = new ConcurrentHashMap<>();
  private static final ThreadLocal<Boolean> ON_MONITOR_THREAD =
      ThreadLocal.withInitial(() -> false);
  /**
   * The monitor thread's sessions: half the method's intra-op threads, at least one. Its
   * forward is about 0.4 of a TENT step's work and runs beside it, so it rarely waits on the
   * step at half the threads, and on two busy cores fewer threads waste less CPU on
   * handing work between them.
   */
  private final RuntimeOptions monitorRuntime;
  private final List<AutoCloseable> opened = new ArrayList<>();

  /**
   * Opens every bundle of the catalog and, with {@code driftMonitoring}, calibrates each model's
   * drift reference.
   *
   * @throws InvalidModelException naming the first unusable bundle
   */
  public ModelRegistry(ModelCatalog catalog, RuntimeOptions runtime, boolean driftMonitoring) {
    this.catalog = catalog;
    this.runtime = runtime;
    int threads = runtime.threads() == 0 ? Runtime.getRuntime().availableProcessors()
        : runtime.threads();
    this.monitorRuntime = new RuntimeOptions(Math.max(1, threads / 2), runtime.provider(),
        runtime.device());
    Map<String, ModelBundle> open = new java.util.LinkedHashMap<>();
    catalog.models().forEach((id, m) -> open.put(id, ModelBundle.open(m.bundle())));
    this.bundles = Map.copyOf(open);
    Map<String, Drift> monitored = new java.util.HashMap<>();
    if (driftMonitoring) {
      bundles.forEach((id, bundle) -> calibrate(id, bundle).ifPresent(d -> monitored.put(id, d)));
    } else {
      LOG.info("drift monitoring is off (drift.monitoring.enabled=false): no alerts, every "
          + "step publishes the adapted parameters");
    }
    this.drift = Map.copyOf(monitored);
  }

  private Optional<Drift> calibrate(String id, ModelBundle bundle) {
    long started = System.nanoTime();
    try (AdaptationStep sessions = bundle.openStep(runtime)) {
      DriftReference reference = DriftReference.calibrate(bundle,
          Methods.create("source", bundle, sessions), Optional.empty());
      LOG.info(String.format(java.util.Locale.ROOT, "drift monitoring of model '%s': calibrated "
          + "on %d source images in %.1f s (source accuracy %.1f%%, ATC threshold %.3f nats)",
          id, reference.calibrationSamples(), (System.nanoTime() - started) / 1e9,
          100 * reference.calibrationAccuracy(), reference.entropyThreshold()));
      DriftMonitor.Config config = DriftMonitor.Config.defaults();
      return Optional.of(new Drift(reference, new DriftMonitor(config, reference.classes()),
          ConfidenceCalibration.load(bundle, reference, Optional.empty(),
              config.calibrationImages())));
    } catch (InvalidModelException e) {
      LOG.warn("drift monitoring disabled for model '{}': {}", id, e.getMessage());
      return Optional.empty();
    }
  }

  public ModelCatalog catalog() {
    return catalog;
  }

  public Optional<ModelBundle> bundle(String model) {
    return Optional.ofNullable(bundles.get(model));
  }

  /** The drift reference and monitor of a model; empty when it is not monitored. */
  public Optional<Drift> drift(String model) {
    return Optional.ofNullable(drift.get(model));
  }

  /**
   * The method for a model with its default hyperparameters, with sessions owned by the
   * calling thread.
   *
   * @throws IllegalArgumentException when the model is not in the catalog
   */
  public AdaptationMethod method(String model, String methodName) {
    return method(model, new ModelCatalog.Adaptation(methodName, 1, 1));
  }

  /**
   * The method a cohort's adaptation names, hyperparameters applied, with sessions owned by the
   * calling thread.
   *
   * @throws IllegalArgumentException when the model is not in the catalog
   */
  public AdaptationMethod method(String model, ModelCatalog.Adaptation adaptation) {
    ModelBundle bundle = bundles.get(model);
    if (bundle == null) {
      throw new IllegalArgumentException("model '" + model + "' is not in the catalog");
    }
    String key = Thread.currentThread().getId() + "|" + model;
    ThreadModels models = perThread.computeIfAbsent(key, k -> {
      AdaptationStep step = bundle.openStep(ON_MONITOR_THREAD.get() ? monitorRuntime : runtime);
      synchronized (opened) {
        opened.add(step);
      }
      return new ThreadModels(bundle, step, new ConcurrentHashMap<>());
    });
    return models.methods.computeIfAbsent(adaptation.method() + adaptation.hyperparameters(),
        k -> Methods.create(adaptation.method(), models.bundle, models.step,
            Hyperparameters.of(adaptation.hyperparameters())));
  }

  /**
   * Runs {@code task} on the calling thread's monitor thread: one thread per caller, made on
   * first use, so that the monitoring of a stream thread's steps never waits behind another
   * stream thread's, and methods asked for inside {@code task} get the monitor thread's own
   * sessions.
   */
  public <T> Future<T> onMonitorThread(Callable<T> task) {
    Thread caller = Thread.currentThread();
    return monitorThreads.computeIfAbsent(caller.getId(), id -> Executors.newSingleThreadExecutor(
        r -> {
          Thread t = new Thread(() -> {
            ON_MONITOR_THREAD.set(true);
            r.run();
          }, "attune-monitor-" + caller.getName());
          t.setDaemon(true);
          return t;
        })).submit(task);
  }

  /**
   * Creates, for the calling thread, every model's sessions and configured methods, and, on
   * its monitor thread, the {@code source} method of the monitored ones with the inference
   * session it runs on and the methods that re-calibration predicts with.
   */
  public void warmUp() {
    catalog.models().forEach((id, m) -> {
      method(id, m.defaults());
      m.cohorts().values().forEach(a -> method(id, a));
      if (drift.containsKey(id)) {
        await(onMonitorThread(() -> {
          method(id, "source");
          method(id, m.defaults());
          m.cohorts().values().forEach(a -> method(id, a));
          perThread.get(Thread.currentThread().getId() + "|" + id).step()
              .openInferenceSession();
          return null;
        }));
      }
    });
  }

  /**
   * The result of a task run by {@link #onMonitorThread}; its failure rethrown unchecked, so
   * that it fails the step (exactly-once recovery then replays the batch).
   */
  public static <T> T await(Future<T> result) {
    try {
      return result.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for drift monitoring", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new IllegalStateException("drift monitoring failed: " + e.getCause(), e.getCause());
    }
  }

  /**
   * Builds every method the catalog configures once, on sessions opened for the check and
   * closed after it, so that a bad hyperparameter stops the worker before it starts rather
   * than failing its first batch.
   *
   * @return one line per problem, naming the model and cohort; empty when all is well
   */
  public List<String> validate() {
    List<String> problems = new ArrayList<>();
    catalog.models().forEach((id, m) -> {
      try (AdaptationStep step = bundles.get(id).openStep(runtime)) {
        check(problems, "model '" + id + "'", m.defaults(), bundles.get(id), step);
        m.cohorts().forEach((cohort, a) -> check(problems,
            "model '" + id + "', cohort '" + cohort + "'", a, bundles.get(id), step));
      }
    });
    return problems;
  }

  private static void check(List<String> problems, String where,
      ModelCatalog.Adaptation adaptation, ModelBundle bundle, AdaptationStep step) {
    try {
      Methods.create(adaptation.method(), bundle, step,
          Hyperparameters.of(adaptation.hyperparameters()));
    } catch (IllegalArgumentException e) {
      problems.add(where + ": " + e.getMessage());
    }
  }

  private record ThreadModels(ModelBundle bundle, AdaptationStep step,
      Map<String, AdaptationMethod> methods) {}

  @Override
  public void close() {
    // a monitor task may be inside ONNX Runtime: let it finish before its sessions close
    monitorThreads.values().forEach(ExecutorService::shutdownNow);
    for (ExecutorService e : monitorThreads.values()) {
      try {
        if (!e.awaitTermination(30, java.util.concurrent.TimeUnit.SECONDS)) {
          LOG.warn("a drift monitoring task is still running after 30 s; closing anyway");
        }
      } catch (InterruptedException ie) {
        Thread.currentThread().interrupt();
      }
    }
    monitorThreads.clear();
    synchronized (opened) {
      for (AutoCloseable c : opened) {
        try {
          c.close();
        } catch (Exception e) {
          throw new IllegalStateException("closing ONNX Runtime sessions failed", e);
        }
      }
      opened.clear();
    }
  }
}
