package io.attune.topology.processor;

import io.attune.schemas.AdaptedPrediction;
import io.attune.schemas.DriftAlert;
import io.attune.schemas.InferenceSample;
import io.attune.schemas.NormParamsUpdate;
import io.attune.topology.AdaptationTopology.LatencyClock;
import io.attune.topology.ModelCatalog;
import io.attune.topology.TopologyNames;
import io.attune.topology.adapt.CohortStepper;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Buffers each cohort's validated samples and runs one adaptation step when the batch is full
 * or its oldest sample is older, in stream time, than the cohort's latency bound. Stream time
 * (record timestamps), not the wall clock, cuts the partial batches, so a replay after a crash
 * cuts exactly the same batches and reaches the same parameters.
 *
 * <p>With {@link LatencyClock#WALL_CLOCK} a wall-clock punctuator cuts them instead, measuring a
 * batch's age from the moment its first sample reached this task. That moment is kept in
 * memory, not in a store: wall-clock batching gives up replay determinism anyway, and a task
 * that restarts or moves with samples buffered counts their age from its first punctuation,
 * so they are adapted at most one bound late.
 *
 * <p>Everything a step needs lives in the four stores (buffer, progress, method state, drift
 * monitor state), written in the same transaction as the outputs (parameters, predictions,
 * alerts), so exactly-once processing never loses a buffered sample nor repeats a version or an
 * alert.
 */
public final class AdaptProcessor implements Processor<byte[], byte[], byte[], byte[]> {

  private static final StringSerializer KEY_SERIALIZER = new StringSerializer();
  private static final Logger LOG = LoggerFactory.getLogger(AdaptProcessor.class);
  /** Below a default broker's {@code message.max.bytes} (1 MiB and 12 bytes) with headroom. */
  static final int MAX_MEMORY_RECORD_BYTES = 1_000_000;

  private final CohortStepper stepper;
  private final Function<String, ModelCatalog.Adaptation> adaptationOfCohortKey;
  private final RecordCodecs codecs;
  private final Duration punctuateEvery;
  private final LatencyClock latencyClock;
  /** Wall-clock time at which each cohort's current partial batch began (WALL_CLOCK only). */
  private final Map<String, Long> batchStartedAt = new HashMap<>();
  private final StepObserver observer;
  private final Runnable warmUp;
  private final Set<String> oversizedMemory = new HashSet<>();

  private ProcessorContext<byte[], byte[]> context;
  private KeyValueStore<String, byte[]> buffer;
  private KeyValueStore<String, byte[]> progress;
  private KeyValueStore<String, byte[]> methodState;
  private KeyValueStore<String, byte[]> driftState;

  /**
   * @param adaptationOfCohortKey the batching and method of a {@code model/cohort} key
   * @param punctuateEvery how often, on {@code latencyClock}, partial batches are checked for
   *     age
   * @param warmUp run once on the stream thread when the task starts
   */
  public AdaptProcessor(CohortStepper stepper,
      Function<String, ModelCatalog.Adaptation> adaptationOfCohortKey, RecordCodecs codecs,
      Duration punctuateEvery, LatencyClock latencyClock, StepObserver observer,
      Runnable warmUp) {
    this.stepper = stepper;
    this.adaptationOfCohortKey = adaptationOfCohortKey;
    this.codecs = codecs;
    this.punctuateEvery = punctuateEvery;
    this.latencyClock = latencyClock;
    this.observer = observer;
    this.warmUp = warmUp;
  }

  @Override
  public void init(ProcessorContext<byte[], byte[]> context) {
    this.context = context;
    this.buffer = context.getStateStore(TopologyNames.SAMPLE_BUFFER_STORE);
    this.progress = context.getStateStore(TopologyNames.COHORT_PROGRESS_STORE);
    this.methodState = context.getStateStore(TopologyNames.METHOD_STATE_STORE);
    this.driftState = context.getStateStore(TopologyNames.DRIFT_MONITOR_STORE);
    // ONNX Runtime sessions are made per stream thread; making them now, while the task
    // initializes, keeps seconds of session setup out of the first batch's latency
    warmUp.run();
    if (latencyClock == LatencyClock.WALL_CLOCK) {
      context.schedule(punctuateEvery, PunctuationType.WALL_CLOCK_TIME, this::flushOverdue);
    } else {
      context.schedule(punctuateEvery, PunctuationType.STREAM_TIME, this::flushOverdue);
    }
  }

  @Override
  public void process(Record<byte[], byte[]> record) {
    String cohortKey = new String(record.key(), StandardCharsets.UTF_8);
    CohortProgress p = progressOf(cohortKey);
    buffer.put(CohortProgress.bufferKey(cohortKey, p.nextSeq()), record.value());
    p = p.withBuffered(record.timestamp());
    progress.put(cohortKey, p.encode());
    if (latencyClock == LatencyClock.WALL_CLOCK && p.buffered() == 1) {
      batchStartedAt.put(cohortKey, context.currentSystemTimeMs());
    }
    observer.sampleBuffered(cohortKey);
    if (p.buffered() >= adaptationOfCohortKey.apply(cohortKey).batchSize()) {
      step(cohortKey, p);
    }
  }

  /** @param now stream time or wall-clock time, as {@link #latencyClock} says */
  private void flushOverdue(long now) {
    List<KeyValue<String, CohortProgress>> overdue = new ArrayList<>();
    try (KeyValueIterator<String, byte[]> all = progress.all()) {
      while (all.hasNext()) {
        KeyValue<String, byte[]> kv = all.next();
        CohortProgress p = CohortProgress.decode(kv.value);
        if (p.buffered() > 0 && now - batchStart(kv.key, p, now)
            >= adaptationOfCohortKey.apply(kv.key).maxLatencyMs()) {
          overdue.add(KeyValue.pair(kv.key, p));
        }
      }
    }
    for (KeyValue<String, CohortProgress> kv : overdue) {
      step(kv.key, kv.value);
    }
  }

  private long batchStart(String cohortKey, CohortProgress p, long now) {
    return latencyClock == LatencyClock.WALL_CLOCK
        ? batchStartedAt.computeIfAbsent(cohortKey, k -> now) : p.oldestBuffered();
  }

  private void step(String cohortKey, CohortProgress p) {
    batchStartedAt.remove(cohortKey);
    List<InferenceSample> samples = new ArrayList<>(p.buffered());
    List<String> keys = new ArrayList<>(p.buffered());
    try (KeyValueIterator<String, byte[]> it = buffer.prefixScan(
        CohortProgress.bufferPrefix(cohortKey), KEY_SERIALIZER)) {
      while (it.hasNext()) {
        KeyValue<String, byte[]> kv = it.next();
        keys.add(kv.key);
        samples.add(codecs.decodeSample(kv.value));
      }
    }
    if (samples.size() != p.buffered()) {
      throw new IllegalStateException(cohortKey + ": " + p.buffered()
          + " samples recorded as buffered, " + samples.size() + " in the buffer store");
    }
    int slash = cohortKey.indexOf('/');
    long started = System.nanoTime();
    CohortStepper.Result result = stepper.step(cohortKey.substring(0, slash),
        cohortKey.substring(slash + 1), methodState.get(cohortKey), driftState.get(cohortKey),
        samples, p.adapted(), p.newestBuffered());
    long stepNanos = System.nanoTime() - started;
    NormParamsUpdate signed = codecs.sign(result.update());
    byte[] key = cohortKey.getBytes(StandardCharsets.UTF_8);
    long timestamp = p.newestBuffered();
    for (AdaptedPrediction prediction : result.predictions()) {
      context.forward(new Record<>(key, codecs.encode(prediction), timestamp),
          TopologyNames.PREDICTIONS_SINK);
    }
    context.forward(new Record<>(key, codecs.encode(signed), timestamp),
        TopologyNames.PARAMS_SINK);
    if (result.memory() != null) {
      publishMemory(cohortKey, key, codecs.encode(codecs.sign(result.memory())), timestamp);
    }
    for (DriftAlert alert : result.alerts()) {
      context.forward(new Record<>(key, codecs.encode(alert), timestamp),
          TopologyNames.ALERTS_SINK);
    }
    methodState.put(cohortKey, result.state());
    if (result.monitorState() != null) {
      driftState.put(cohortKey, result.monitorState());
    }
    for (String k : keys) {
      buffer.delete(k);
    }
    progress.put(cohortKey, p.afterStep().encode());
    observer.stepped(cohortKey, signed, result.diagnostics(), stepNanos);
    if (result.drift() != null) {
      observer.monitorTimed(cohortKey, result.monitorNanos());
      observer.monitored(cohortKey, result.drift(), result.alerts());
    }
  }

  /**
   * Forwards a memory record unless it is larger than a default broker accepts: a producer
   * that fails on a record too large stops the stream thread, and the memory is an extra for
   * the edges, not what the stream's progress depends on. Said once per cohort.
   */
  private void publishMemory(String cohortKey, byte[] key, byte[] value, long timestamp) {
    if (value.length <= MAX_MEMORY_RECORD_BYTES) {
      context.forward(new Record<>(key, value, timestamp), TopologyNames.MEMORY_SINK);
    } else if (oversizedMemory.add(cohortKey)) {
      LOG.warn("{}: a memory of {} bytes is larger than the {} a default Kafka broker accepts; "
          + "its memory is not published (lower the method's capacity)", cohortKey,
          value.length, MAX_MEMORY_RECORD_BYTES);
    }
  }

  private CohortProgress progressOf(String cohortKey) {
    byte[] bytes = progress.get(cohortKey);
    return bytes == null ? CohortProgress.empty() : CohortProgress.decode(bytes);
  }
}
