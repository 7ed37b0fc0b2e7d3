package io.attune.topology;

import io.attune.topology.adapt.CohortStepper;
import io.attune.topology.adapt.ModelRegistry;
import io.attune.topology.processor.AdaptProcessor;
import io.attune.topology.processor.RecordCodecs;
import io.attune.topology.processor.StepObserver;
import io.attune.topology.processor.TrafficValidator;
import io.attune.topology.processor.ValidateProcessor;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * Builds the adaptation topology, the one function used by the worker, by TopologyTestDriver
 * tests and by the integration tests:
 *
 * <pre>
 * traffic -> validate -+-> adapt (buffer, step; 4 stores) -+-> params
 *                      |                                   +-> memory (T3A, AdaNPC)
 *                      |                                   +-> predictions
 *                      |                                   +-> alerts
 *                      +-> dlq
 * </pre>
 *
 * Traffic is consumed as it is partitioned, by its {@code model/cohort} key, so there is no
 * repartition topic: a record whose key is not its sample's cohort is a dead letter.
 */
public final class AdaptationTopology {

  private AdaptationTopology() {}

  /**
   * @param traffic topic the samples arrive on
   * @param params topic refreshed parameters go to
   * @param memory topic refreshed non-parametric memories go to
   * @param predictions topic adapted predictions go to
   * @param alerts topic drift alerts go to
   * @param deadLetters topic rejected records go to
   * @param punctuateEvery interval, on {@code latencyClock}, at which partial batches are
   *     checked for age
   * @param maxRecordBytes largest traffic value accepted
   * @param latencyClock the clock cohorts' latency bounds are measured on
   */
  public record Settings(String traffic, String params, String memory, String predictions,
      String alerts, String deadLetters, Duration punctuateEvery, int maxRecordBytes,
      LatencyClock latencyClock) {

    /** Settings with latency bounds on stream time, the deterministic default. */
    public Settings(String traffic, String params, String memory, String predictions,
        String alerts, String deadLetters, Duration punctuateEvery, int maxRecordBytes) {
      this(traffic, params, memory, predictions, alerts, deadLetters, punctuateEvery,
          maxRecordBytes, LatencyClock.STREAM_TIME);
    }
  }

  /** What a cohort's latency bound is measured on ({@code batch.latency.clock}). */
  public enum LatencyClock {
    /**
     * Record timestamps: replays cut the same batches, but a partial batch waits for a newer
     * record to show it is overdue.
     */
    STREAM_TIME,
    /**
     * The worker's clock since the batch's first sample arrived: a quiet cohort's partial batch
     * is still adapted, at the price of replay determinism.
     */
    WALL_CLOCK
  }

  public static Topology build(Settings settings, ModelRegistry models, RecordCodecs codecs,
      StepObserver observer) {
    TrafficValidator validator = new TrafficValidator(settings.maxRecordBytes(), codecs::decodeSample,
        model -> models.bundle(model).map(b -> List.copyOf(b.manifest().inputShape())));
    CohortStepper stepper = new CohortStepper(models);
    Topology topology = new Topology();
    topology.addSource(TopologyNames.TRAFFIC_SOURCE, new ByteArrayDeserializer(),
        new ByteArrayDeserializer(), settings.traffic());
    topology.addProcessor(TopologyNames.VALIDATE,
        () -> new ValidateProcessor(validator, codecs, observer), TopologyNames.TRAFFIC_SOURCE);
    topology.addProcessor(TopologyNames.ADAPT,
        () -> new AdaptProcessor(stepper, key -> adaptationOf(models.catalog(), key), codecs,
            settings.punctuateEvery(), settings.latencyClock(), observer, models::warmUp),
        TopologyNames.VALIDATE);
    topology.addStateStore(store(TopologyNames.SAMPLE_BUFFER_STORE), TopologyNames.ADAPT);
    topology.addStateStore(store(TopologyNames.COHORT_PROGRESS_STORE), TopologyNames.ADAPT);
    topology.addStateStore(store(TopologyNames.METHOD_STATE_STORE), TopologyNames.ADAPT);
    topology.addStateStore(store(TopologyNames.DRIFT_MONITOR_STORE), TopologyNames.ADAPT);
    topology.addSink(TopologyNames.DLQ_SINK, settings.deadLetters(), new ByteArraySerializer(),
        new ByteArraySerializer(), TopologyNames.VALIDATE);
    topology.addSink(TopologyNames.PARAMS_SINK, settings.params(), new ByteArraySerializer(),
        new ByteArraySerializer(), TopologyNames.ADAPT);
    topology.addSink(TopologyNames.MEMORY_SINK, settings.memory(), new ByteArraySerializer(),
        new ByteArraySerializer(), TopologyNames.ADAPT);
    topology.addSink(TopologyNames.PREDICTIONS_SINK, settings.predictions(),
        new ByteArraySerializer(), new ByteArraySerializer(), TopologyNames.ADAPT);
    topology.addSink(TopologyNames.ALERTS_SINK, settings.alerts(), new ByteArraySerializer(),
        new ByteArraySerializer(), TopologyNames.ADAPT);
    return topology;
  }

  private static ModelCatalog.Adaptation adaptationOf(ModelCatalog catalog, String cohortKey) {
    int slash = cohortKey.indexOf('/');
    Optional<ModelCatalog.Model> model = catalog.model(cohortKey.substring(0, slash));
    return model.orElseThrow(() -> new IllegalStateException("validated key " + cohortKey
        + " has no catalog model")).adaptationOf(cohortKey.substring(slash + 1));
  }

  private static StoreBuilder<KeyValueStore<String, byte[]>> store(String name) {
    // persistent and logged: the changelog is what a restarted or migrated task restores from.
    // Cached: a cohort's progress is rewritten for every sample and a buffered sample is
    // deleted when its batch steps, mostly within one commit interval; the cache hands
    // RocksDB and the changelog only the last value of each key per commit (one progress
    // record instead of 65 per batch, a tombstone instead of a put and a tombstone per
    // sample). Exactly-once is unaffected: the cache is flushed before every commit.
    return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(name), Serdes.String(),
        Serdes.ByteArray()).withLoggingEnabled(java.util.Map.of()).withCachingEnabled();
  }
}
