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
 * the drift monitoring inside them, the rest: Kafka, stores, records), numbers that do not
 * depend on the other phases.
 */
public final class WorkerBenchmark {

  private static final String MODEL = "bench";
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
   */
  public record Result(int samples, double offlineBefore, double offlineAfter,
      double workerSamplesPerSecond, double workerSeconds, double stepSeconds,
      double monitorSeconds) {

    /** The method alone, samples/s: the mean of the passes before and after the worker. */
    public double offlineSamplesPerSecond() {
      return (offlineBefore + offlineAfter) / 2;
    }

    /** Worker throughput over offline throughput, from this one run. */
    public double ratio() {
      return workerSamplesPerSecond / offlineSamplesPerSecond();
    }
  }

  private record WorkerRun(double samplesPerSecond, double seconds, double stepSeconds,
      double monitorSeconds) {}

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
    double before = offline(ModelBundle.open(bundleDir), method, batch, threads, used);
    WorkerRun worker = throughWorker(bootstrapServers, bundleDir, method, batch, threads, used,
        workerProps, progress);
    double after = offline(ModelBundle.open(bundleDir), method, batch, threads, used);
    return new Result(samples, before, after, worker.samplesPerSecond(), worker.seconds(),
        worker.stepSeconds(), worker.monitorSeconds());
  }

  private static double offline(ModelBundle bundle, String method, int batch, int threads,
      List<byte[]> images) {
    int size = images.get(0).length;
    try (AdaptationStep sessions = bundle.openStep(RuntimeOptions.cpu(threads))) {
      AdaptationMethod m = Methods.create(method, bundle, sessions);
      MethodState state = m.initialState();
      long nanos = 0;
      for (int b = 0; b < images.size() / batch; b++) {
        byte[] pixels = new byte[batch * size];
        for (int i = 0; i < batch; i++) {
          System.arraycopy(images.get(b * batch + i), 0, pixels, i * size, size);
        }
        Batch input = new Batch(bundle.manifest().preprocess(pixels, batch), batch);
        long t0 = System.nanoTime();
        state = m.step(state, input).state();
        nanos += System.nanoTime() - t0;
      }
      return images.size() / (nanos / 1e9);
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
      long t0 = System.nanoTime();
      awaitPredictions(bootstrapServers, config.topics().predictions().name(), images.size(),
          progress);
      double seconds = (System.nanoTime() - t0) / 1e9;
      return new WorkerRun(images.size() / seconds, seconds,
          worker.metrics().totalSeconds("attune.step.latency"),
          worker.metrics().totalSeconds("attune.monitor.latency"));
    }
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
