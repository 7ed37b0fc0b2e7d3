package io.attune.topology.bench;

import io.attune.adaptation.bundle.ModelBundle;
import io.attune.adaptation.method.AdaptationMethod;
import io.attune.adaptation.method.Batch;
import io.attune.adaptation.method.MethodState;
import io.attune.adaptation.method.Methods;
import io.attune.adaptation.runtime.AdaptationStep;
import io.attune.adaptation.runtime.RuntimeOptions;
import io.attune.schemas.DType;
import io.attune.schemas.InferenceSample;
import io.attune.schemas.Tensor;
import io.attune.schemas.TopicsConfig;
import io.attune.schemas.serde.RecordType;
import io.attune.schemas.signing.SigningKeys;
import io.attune.topology.ModelCatalog;
import io.attune.topology.TopicSetup;
import io.attune.topology.Worker;
import io.attune.topology.WorkerConfig;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.IntConsumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * What the service costs on top of the algorithm: the same method on the same samples offline
 * (only the steps timed, as {@code attune evaluate} times them) and through a broker (the
 * {@code attune bench-worker} command starts an embedded one) and a worker (from the worker reaching RUNNING to the last adapted prediction a
 * {@code read_committed} consumer sees, exactly-once transactions included).
 *
 * <p>The offline pass runs once before the worker and once after it, and the ratio divides by
 * their mean: on a shared machine the load drifts between the phases of one run, and a single
 * offline pass taken under lighter or heavier load than the worker's makes the ratio swing by a
 * third. The worker's own step timers then say where its wall time went (adaptation steps,
 * the wait drift monitoring adds to them, the rest: Kafka, stores, records), numbers that do
 * not depend on the other phases, and the process's CPU time per batch in both settings says
 * what the worker costs where the cores are saturated, where a rate is CPU per sample.
 */
public final class WorkerBenchmark {

  private static final String MODEL = "bench";
  /**
   * Batches a first, untimed worker runs (its own application id and topics) before anything
   * is timed. A worker that has run for a while has its Kafka, store and record code compiled
   * by the JIT; a cold one compiles it during the timed run, on the cores the method needs
   * (on two loaded cores the timed run's CPU per batch fell from 384-419 ms to 359-362 ms
   * with this warm-up; 40 batches gave no more). The offline passes then run warm too.
   */
  private static final int WARM_UP_BATCHES = 16;
  private static final String COHORT = "bench";

  private WorkerBenchmark() {}

  /**
   * @param samples samples run in both settings (a whole number of batches)
   * @param offlineBefore the method alone, samples/s, before the worker ran
   * @param offlineAfter the method alone, samples/s, after the worker stopped
   * @param workerSamplesPerSecond the method inside the worker, end to end
   * @param workerSeconds the worker's wall time, from RUNNING to the last prediction
   * @param stepSeconds of that, time inside adaptation steps (method and monitoring)
   * @param monitorSeconds of the steps, time spent on drift monitoring (0 when off)
   * @param kafka where the stream thread waited on Kafka during the worker's wall time
   * @param offlineCpuPerBatch CPU time of the whole process per batch while the method ran
   *     alone (mean of both passes), seconds
   * @param workerCpuPerBatch CPU time of the whole process per batch during the worker's wall
   *     time: worker, embedded broker and the benchmark's consumer, seconds
   */
  public record Result(int samples, double offlineBefore, double offlineAfter,
      double workerSamplesPerSecond, double workerSeconds, double stepSeconds,
      double monitorSeconds, KafkaWaits kafka, double offlineCpuPerBatch,
      double workerCpuPerBatch) {

    /** The method alone, samples/s: the mean of the passes before and after the worker. */
    public double offlineSamplesPerSecond() {
      return (offlineBefore + offlineAfter) / 2;
    }

    /** Worker throughput over offline throughput, from this one run. */
    public double ratio() {
      return workerSamplesPerSecond / offlineSamplesPerSecond();
    }
  }

  /**
   * Time the worker's stream thread spent waiting on Kafka, from the clients' own metrics.
   *
   * @param commits exactly-once commits (transactions) in the worker's wall time
   * @param commitSeconds of those, waiting on the producer's flush, the offsets sent to the
   *     transaction and the commit itself
   * @param blockedSeconds all the stream thread's waits on its Kafka clients: the commits'
   *     and the polls'
   */
  public record KafkaWaits(int commits, double commitSeconds, double blockedSeconds) {}

  private record WorkerRun(double samplesPerSecond, double seconds, double stepSeconds,
      double monitorSeconds, KafkaWaits kafka, double cpuSeconds) {}

  private record OfflineRun(double samplesPerSecond, double cpuSeconds) {}

  /**
   * @param bootstrapServers the broker the worker runs against, with nothing else on it: the
   *     benchmark creates the worker's topics and fills the traffic topic
   * @param images uint8 samples in the bundle's input shape, one array each; the tail that
   *     does not fill a batch is dropped
   * @param workerProps worker configuration on top of the benchmark's own
   * @param progress told the number of predictions the worker has published so far
   */
  public static Result run(String bootstrapServers, Path bundleDir, String method, int batch, int threads,
      List<byte[]> images, Map<String, String> workerProps, IntConsumer progress)
      throws IOException, InterruptedException {
    int samples = images.size() / batch * batch;
    if (samples == 0) {
      throw new IllegalArgumentException("need at least one batch of " + batch + " samples, got "
          + images.size());
    }
    List<byte[]> used = images.subList(0, samples);
    Map<String, String> warmUpProps = new HashMap<>(workerProps);
    warmUpProps.put(WorkerConfig.APPLICATION_ID_CONFIG, "attune-bench-warm-up");
    warmUpProps.put(TopicsConfig.PREFIX_CONFIG, "attune-warm-up.");
    throughWorker(bootstrapServers, bundleDir, method, batch, threads,
        used.subList(0, Math.min(samples, WARM_UP_BATCHES * batch)), warmUpProps, n -> { });
    OfflineRun before = offline(ModelBundle.open(bundleDir), method, batch, threads, used);
    WorkerRun worker = throughWorker(bootstrapServers, bundleDir, method, batch, threads, used,
        workerProps, progress);
    OfflineRun after = offline(ModelBundle.open(bundleDir), method, batch, threads, used);
    int batches = samples / batch;
    return new Result(samples, before.samplesPerSecond(), after.samplesPerSecond(),
        worker.samplesPerSecond(), worker.seconds(), worker.stepSeconds(),
        worker.monitorSeconds(), worker.kafka(),
        (before.cpuSeconds() + after.cpuSeconds()) / 2 / batches, worker.cpuSeconds() / batches);
  }

  /** CPU time of this process so far, all threads (ONNX Runtime's own included), nanos. */
  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean)
        java.lang.management.ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
  }

  private static OfflineRun offline(ModelBundle bundle, String method, int batch, int threads,
      List<byte[]> images) {
    int size = images.get(0).length;
    try (AdaptationStep sessions = bundle.openStep(RuntimeOptions.cpu(threads))) {
      AdaptationMethod m = Methods.create(method, bundle, sessions);
      MethodState state = m.initialState();
      long nanos = 0;
      long cpuNanos = 0;
      for (int b = 0; b < images.size() / batch; b++) {
        byte[] pixels = new byte[batch * size];
        for (int i = 0; i < batch; i++) {
          System.arraycopy(images.get(b * batch + i), 0, pixels, i * size, size);
        }
        Batch input = new Batch(bundle.manifest().preprocess(pixels, batch), batch);
        long cpu0 = processCpuNanos();
        long t0 = System.nanoTime();
        state = m.step(state, input).state();
        nanos += System.nanoTime() - t0;
        cpuNanos += processCpuNanos() - cpu0;
      }
      return new OfflineRun(images.size() / (nanos / 1e9), cpuNanos / 1e9);
    }
  }

  private static WorkerRun throughWorker(String bootstrapServers, Path bundleDir, String method,
      int batch, int threads, List<byte[]> images, Map<String, String> workerProps,
      IntConsumer progress) throws IOException, InterruptedException {
    Path dir = Files.createTempDirectory("attune-bench");
    KeyPair keys = SigningKeys.generate();
    SigningKeys.writePrivateKey(dir.resolve("worker.key"), keys.getPrivate());
    SigningKeys.writePublicKey(dir.resolve("worker.key.pub"), keys.getPublic());
    Map<String, String> props = new HashMap<>();
    props.put(WorkerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(WorkerConfig.SIGNING_KEY_FILE_CONFIG, dir.resolve("worker.key").toString());
    props.put(WorkerConfig.STATE_DIR_CONFIG, dir.resolve("state").toString());
    props.put(WorkerConfig.HTTP_PORT_CONFIG, "-1");
    props.put(WorkerConfig.TOPIC_PARTITIONS_CONFIG, "1");
    props.put(WorkerConfig.RUNTIME_THREADS_CONFIG, Integer.toString(threads));
    props.putAll(workerProps);
    WorkerConfig config = new WorkerConfig(props);
    TopicSetup.ensureTopics(config);
    produce(bootstrapServers, config.topics().traffic().name(), images,
        ModelBundle.open(bundleDir).manifest().inputShape());
    try (Worker worker = Worker.start(config, ModelCatalog.single(MODEL, bundleDir, method,
        batch, 3_600_000L))) {
      worker.awaitRunning(Duration.ofMinutes(2));
      Map<String, Double> kafkaBefore = kafkaTotals(worker);
      long cpu0 = processCpuNanos();
      long t0 = System.nanoTime();
      awaitPredictions(bootstrapServers, config.topics().predictions().name(), images.size(),
          progress);
      double seconds = (System.nanoTime() - t0) / 1e9;
      double cpuSeconds = (processCpuNanos() - cpu0) / 1e9;
      Map<String, Double> kafka = kafkaTotals(worker);
      kafkaBefore.forEach((k, v) -> kafka.merge(k, -v, Double::sum));
      KafkaWaits waits = new KafkaWaits(kafka.getOrDefault(COMMITS, 0.0).intValue(),
          COMMIT_WAITS.stream().mapToDouble(k -> kafka.getOrDefault(k, 0.0)).sum() / 1e9,
          kafka.getOrDefault(BLOCKED, 0.0) / 1e9);
      return new WorkerRun(images.size() / seconds, seconds,
          worker.metrics().totalSeconds("attune.step.latency"),
          worker.metrics().totalSeconds("attune.monitor.latency"), waits, cpuSeconds);
    }
  }

  private static final String COMMITS = "stream-thread-metrics/commit-total";
  private static final String BLOCKED = "stream-thread-metrics/blocked-time-ns-total";
  private static final List<String> COMMIT_WAITS = List.of(
      "producer-metrics/flush-time-ns-total", "producer-metrics/txn-send-offsets-time-ns-total",
      "producer-metrics/txn-commit-time-ns-total", "producer-metrics/txn-begin-time-ns-total");

  /** The worker's cumulative Kafka metrics the benchmark reads, by group/name. */
  private static Map<String, Double> kafkaTotals(Worker worker) {
    Map<String, Double> out = new HashMap<>();
    worker.kafkaMetrics().forEach((name, metric) -> {
      String key = name.group() + "/" + name.name();
      if ((key.equals(COMMITS) || key.equals(BLOCKED) || COMMIT_WAITS.contains(key))
          && metric.metricValue() instanceof Number n) {
        out.merge(key, n.doubleValue(), Double::sum);
      }
    });
    return out;
  }

  private static void produce(String bootstrap, String topic, List<byte[]> images,
      List<Integer> shape) {
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.ACKS_CONFIG, "all"),
        new ByteArraySerializer(), new ByteArraySerializer())) {
      byte[] key = (MODEL + "/" + COHORT).getBytes(StandardCharsets.UTF_8);
      long now = System.currentTimeMillis();
      for (int i = 0; i < images.size(); i++) {
        InferenceSample s = InferenceSample.newBuilder().setModel(MODEL).setCohort(COHORT)
            .setSampleId("s" + i).setDevice(null).setLabel(null)
            .setInput(Tensor.newBuilder().setDtype(DType.UINT8).setShape(shape)
                .setData(ByteBuffer.wrap(images.get(i))).build()).build();
        producer.send(new ProducerRecord<>(topic, null, now + i, key,
            RecordType.INFERENCE_SAMPLE.codec().encode(s)));
      }
    }
  }

  private static void awaitPredictions(String bootstrap, String topic, int expected,
      IntConsumer progress) {
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        ConsumerConfig.GROUP_ID_CONFIG, "attune-bench-" + UUID.randomUUID(),
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
        new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(topic));
      long deadline = System.nanoTime() + Duration.ofMinutes(30).toNanos();
      int seen = 0;
      while (seen < expected) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("the worker published " + seen + " of " + expected
              + " predictions in 30 minutes");
        }
        seen += consumer.poll(Duration.ofMillis(100)).count();
        progress.accept(seen);
      }
    }
  }
}
