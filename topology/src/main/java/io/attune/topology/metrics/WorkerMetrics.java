package io.attune.topology.metrics;

import io.attune.adaptation.drift.DriftMonitor;
import io.attune.adaptation.drift.Estimates;
import io.attune.adaptation.method.Outputs;
import io.attune.schemas.AlertState;
import io.attune.schemas.DriftAlert;
import io.attune.schemas.NormParamsUpdate;
import io.attune.schemas.RejectReason;
import io.attune.topology.adapt.DriftAlerts;
import io.attune.topology.processor.StepObserver;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.streams.KafkaStreams;

/**
 * The worker's Prometheus metrics: samples in, batches, step latency, dead letters by reason,
 * alerts by signal and state, and per cohort the parameter version, mean entropy, open alerts,
 * the label-free accuracy estimates and whether adapted parameters are being published; Kafka
 * Streams' own metrics are bound too. Also keeps each cohort's latest step and open alerts for
 * the HTTP API.
 */
public final class WorkerMetrics implements StepObserver, AutoCloseable {

  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Counter samplesIn;
  private final Counter batches;
  private final Timer stepLatency;
  private final Timer monitorLatency;
  private final Map<RejectReason, Counter> deadLetters = new ConcurrentHashMap<>();
  private final Map<String, LatestStep> latest = new ConcurrentHashMap<>();
  private final Map<String, LatestDrift> drift = new ConcurrentHashMap<>();
  private final Map<String, Map<String, DriftAlert>> raised = new ConcurrentHashMap<>();
  private final Map<String, Counter> alerts = new ConcurrentHashMap<>();
  private KafkaStreamsMetrics streamsMetrics;

  /**
   * The latest step of a cohort seen by this worker.
   *
   * @param version parameter version published
   * @param samples samples of the batch
   * @param samplesUsed samples that drove the update
   * @param meanEntropy mean prediction entropy of the batch, nats
   * @param reset whether the method reset to the source
   * @param stepMillis step latency
   */
  public record LatestStep(long version, int samples, int samplesUsed, float meanEntropy,
      boolean reset, double stepMillis) {}

  /**
   * A monitored cohort's drift monitor after its latest step on this worker.
   *
   * @param openAlerts signals whose alert is open, as the alerts topic names them
   * @param detectorsInAlarm the data-drift detectors in alarm ({@code bn-divergence},
   *     {@code entropy}, {@code class-prior}): what keeps a {@code data-drift} alert open
   * @param adaptedEstimate label-free accuracy estimate of the adapted model; NaN before any
   * @param sourceEstimate label-free accuracy estimate of the source model; NaN before any
   * @param publishingAdapted whether the guard lets the adapted parameters through
   */
  public record LatestDrift(List<String> openAlerts, List<String> detectorsInAlarm,
      double adaptedEstimate,
      double sourceEstimate, boolean publishingAdapted) {

    /** The view of a monitor state. */
    public static LatestDrift of(DriftMonitor.State s) {
      Estimates e = s.estimates();
      return new LatestDrift(s.openAlerts().stream().map(DriftAlerts::signalName).toList(),
          s.alarmedSignals().stream().map(DriftAlerts::signalName).toList(), e.adapted(), e.source(), !s.guard().reverted());
    }
  }

  public WorkerMetrics() {
    samplesIn = Counter.builder("attune.samples.in").description("valid samples buffered")
        .register(registry);
    batches = Counter.builder("attune.batches").description("adaptation steps run")
        .register(registry);
    stepLatency = Timer.builder("attune.step.latency").description("one adaptation step")
        .publishPercentiles(0.5, 0.99).register(registry);
    monitorLatency = Timer.builder("attune.monitor.latency")
        .description("wall time drift monitoring adds to one adaptation step: waiting for "
            + "the source model's forward, which runs beside the method's step, then the "
            + "signals and the monitor update")
        .publishPercentiles(0.5, 0.99).register(registry);
  }

  /** Adds Kafka Streams' client metrics. */
  public void bind(KafkaStreams streams) {
    streamsMetrics = new KafkaStreamsMetrics(streams);
    streamsMetrics.bindTo(registry);
  }

  @Override
  public void sampleBuffered(String cohortKey) {
    samplesIn.increment();
  }

  @Override
  public void rejected(RejectReason reason) {
    deadLetters.computeIfAbsent(reason, r -> Counter.builder("attune.dead.letters")
        .description("records sent to the dead-letter topic").tag("reason", r.name())
        .register(registry)).increment();
  }

  @Override
  public void stepped(String cohortKey, NormParamsUpdate update, Outputs.Diagnostics d,
      long stepNanos) {
    batches.increment();
    stepLatency.record(stepNanos, TimeUnit.NANOSECONDS);
    boolean first = !latest.containsKey(cohortKey);
    latest.put(cohortKey, new LatestStep(update.getVersion(), d.samples(), d.samplesUsed(),
        d.meanEntropy(), d.reset(), stepNanos / 1e6));
    if (first) {
      Gauge.builder("attune.cohort.params.version", latest, m -> m.get(cohortKey).version())
          .tag("cohort", cohortKey).register(registry);
      Gauge.builder("attune.cohort.mean.entropy", latest, m -> m.get(cohortKey).meanEntropy())
          .tag("cohort", cohortKey).register(registry);
    }
  }

  @Override
  public void monitorTimed(String cohortKey, long monitorNanos) {
    monitorLatency.record(monitorNanos, TimeUnit.NANOSECONDS);
  }

  @Override
  public void monitored(String cohortKey, DriftMonitor.State state, List<DriftAlert> events) {
    boolean first = !drift.containsKey(cohortKey);
    drift.put(cohortKey, LatestDrift.of(state));
    for (DriftAlert a : events) {
      alerts.computeIfAbsent(a.getSignal() + "|" + a.getState(), k -> Counter.builder(
          "attune.alerts").description("drift alerts published").tag("signal", a.getSignal())
          .tag("state", a.getState().name()).register(registry)).increment();
      Map<String, DriftAlert> open = raised.computeIfAbsent(cohortKey,
          k -> new ConcurrentHashMap<>());
      if (a.getState() == AlertState.RAISED) {
        open.put(a.getSignal(), a);
      } else {
        open.remove(a.getSignal());
      }
    }
    if (first) {
      Gauge.builder("attune.cohort.open.alerts", drift, m -> m.get(cohortKey).openAlerts().size())
          .description("drift alerts raised and not yet resolved").tag("cohort", cohortKey)
          .register(registry);
      Gauge.builder("attune.cohort.accuracy.estimate", drift,
          m -> m.get(cohortKey).adaptedEstimate()).description("label-free (ATC) accuracy "
          + "estimate").tag("cohort", cohortKey).tag("model", "adapted").register(registry);
      Gauge.builder("attune.cohort.accuracy.estimate", drift,
          m -> m.get(cohortKey).sourceEstimate()).description("label-free (ATC) accuracy "
          + "estimate").tag("cohort", cohortKey).tag("model", "source").register(registry);
      Gauge.builder("attune.cohort.publishing.adapted", drift,
          m -> m.get(cohortKey).publishingAdapted() ? 1 : 0).description("1 while the guard "
          + "publishes adapted parameters, 0 while it publishes the source's")
          .tag("cohort", cohortKey).register(registry);
    }
  }

  /** Latest drift monitor views by cohort key, as seen by this worker. */
  public Map<String, LatestDrift> latestDrift() {
    return Map.copyOf(drift);
  }

  /**
   * The RAISED record of every alert still open, by cohort key and signal, as seen by this
   * worker (an alert raised before it started is open in the store but not here).
   */
  public Map<String, Map<String, DriftAlert>> openAlerts() {
    Map<String, Map<String, DriftAlert>> copy = new TreeMap<>();
    raised.forEach((cohort, open) -> {
      if (!open.isEmpty()) {
        copy.put(cohort, new TreeMap<>(open));
      }
    });
    return copy;
  }

  /** Latest steps by cohort key, as seen by this worker. */
  public Map<String, LatestStep> latestSteps() {
    return Map.copyOf(latest);
  }

  public double count(String name) {
    return registry.find(name).counters().stream().mapToDouble(Counter::count).sum();
  }

  /** Total seconds recorded by a timer ({@code attune.step.latency}, ...); 0 when unknown. */
  public double totalSeconds(String timer) {
    return registry.find(timer).timers().stream()
        .mapToDouble(t -> t.totalTime(TimeUnit.SECONDS)).sum();
  }

  /** The Prometheus text exposition. */
  public String scrape() {
    return registry.scrape();
  }

  @Override
  public void close() {
    if (streamsMetrics != null) {
      streamsMetrics.close();
    }
    registry.close();
  }
}
