package io.attune.topology.metrics;

import io.attune.adaptation.method.Outputs;
import io.attune.schemas.NormParamsUpdate;
import io.attune.schemas.RejectReason;
import io.attune.topology.processor.StepObserver;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.streams.KafkaStreams;

/**
 * The worker's Prometheus metrics: samples in, batches, step latency, dead letters by reason,
 * and per cohort the parameter version and mean entropy; Kafka Streams' own metrics are bound
 * too. Also keeps each cohort's latest step for the HTTP API.
 */
public final class WorkerMetrics implements StepObserver, AutoCloseable {

  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Counter samplesIn;
  private final Counter batches;
  private final Timer stepLatency;
  private final Map<RejectReason, Counter> deadLetters = new ConcurrentHashMap<>();
  private final Map<String, LatestStep> latest = new ConcurrentHashMap<>();
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

  public WorkerMetrics() {
    samplesIn = Counter.builder("attune.samples.in").description("valid samples buffered")
        .register(registry);
    batches = Counter.builder("attune.batches").description("adaptation steps run")
        .register(registry);
    stepLatency = Timer.builder("attune.step.latency").description("one adaptation step")
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

  /** Latest steps by cohort key, as seen by this worker. */
  public Map<String, LatestStep> latestSteps() {
    return Map.copyOf(latest);
  }

  public double count(String name) {
    return registry.find(name).counters().stream().mapToDouble(Counter::count).sum();
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
