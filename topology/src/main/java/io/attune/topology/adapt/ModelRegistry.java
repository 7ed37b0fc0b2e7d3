package io.attune.topology.adapt;

import io.attune.adaptation.bundle.ModelBundle;
import io.attune.adaptation.method.AdaptationMethod;
import io.attune.adaptation.method.Methods;
import io.attune.adaptation.runtime.AdaptationStep;
import io.attune.adaptation.runtime.RuntimeOptions;
import io.attune.topology.ModelCatalog;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The worker's models: every bundle of the catalog opened once, and ONNX Runtime sessions
 * created lazily, one set per stream thread, because a session's scratch buffers are not shared
 * between concurrent steps and Kafka Streams runs each task on exactly one thread.
 */
public final class ModelRegistry implements AutoCloseable {

  private final ModelCatalog catalog;
  private final Map<String, ModelBundle> bundles;
  private final RuntimeOptions runtime;
  private final Map<String, ThreadModels> perThread = new ConcurrentHashMap<>();
  private final List<AutoCloseable> opened = new ArrayList<>();

  /**
   * Opens every bundle of the catalog.
   *
   * @throws io.attune.adaptation.model.InvalidModelException naming the first unusable bundle
   */
  public ModelRegistry(ModelCatalog catalog, RuntimeOptions runtime) {
    this.catalog = catalog;
    this.runtime = runtime;
    Map<String, ModelBundle> open = new java.util.LinkedHashMap<>();
    catalog.models().forEach((id, m) -> open.put(id, ModelBundle.open(m.bundle())));
    this.bundles = Map.copyOf(open);
  }

  public ModelCatalog catalog() {
    return catalog;
  }

  public Optional<ModelBundle> bundle(String model) {
    return Optional.ofNullable(bundles.get(model));
  }

  /**
   * The method for a model, with sessions owned by the calling thread.
   *
   * @throws IllegalArgumentException when the model is not in the catalog
   */
  public AdaptationMethod method(String model, String methodName) {
    ModelBundle bundle = bundles.get(model);
    if (bundle == null) {
      throw new IllegalArgumentException("model '" + model + "' is not in the catalog");
    }
    String key = Thread.currentThread().getId() + "|" + model;
    ThreadModels models = perThread.computeIfAbsent(key, k -> {
      AdaptationStep step = bundle.openStep(runtime);
      synchronized (opened) {
        opened.add(step);
      }
      return new ThreadModels(bundle, step, new ConcurrentHashMap<>());
    });
    return models.methods.computeIfAbsent(methodName,
        name -> Methods.create(name, models.bundle, models.step));
  }

  /** Creates, for the calling thread, every model's sessions and configured methods. */
  public void warmUp() {
    catalog.models().forEach((id, m) -> {
      method(id, m.defaults().method());
      m.cohorts().values().forEach(a -> method(id, a.method()));
    });
  }

  private record ThreadModels(ModelBundle bundle, AdaptationStep step,
      Map<String, AdaptationMethod> methods) {}

  @Override
  public void close() {
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
