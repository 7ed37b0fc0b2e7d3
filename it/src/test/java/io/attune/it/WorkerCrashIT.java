package io.attune.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.attune.adaptation.RepoRoot;
import io.attune.adaptation.ReferenceModel;
import io.attune.broker.EmbeddedKafka;
import io.attune.schemas.AdaptedPrediction;
import io.attune.schemas.InferenceSample;
import io.attune.schemas.LayerParams;
import io.attune.schemas.NormParamsUpdate;
import io.attune.schemas.serde.RecordType;
import io.attune.topology.Worker;
import io.attune.topology.WorkerConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A worker process killed abruptly mid-stream and restarted: with exactly-once processing the
 * parameter versions come out 1..N once each, every sample lands in exactly one batch, and the
 * final parameters equal those of a run that was never interrupted.
 */
class WorkerCrashIT {

  static final int BATCH = 32;
  static final int PER_COHORT = 20 * BATCH;
  static final List<String> COHORTS = List.of("noise", "blur");

  /** Under target/ rather than a temporary directory, so the worker logs outlive a failure. */
  static Path dir;
  static EmbeddedKafka broker;

  @BeforeAll
  static void start() throws Exception {
    dir = RepoRoot.find().resolve("it/target/worker-crash-it");
    deleteRecursively(dir);
    Files.createDirectories(dir);
    broker = EmbeddedKafka.start(EmbeddedKafka.Options.defaults());
    ItWorker.writeSigningKeys(dir);
    ReferenceModel.prepareBundle(Files.createDirectories(dir.resolve("bundle")));
    Files.writeString(dir.resolve("catalog.json"), "{\"models\": {\"" + Traffic.MODEL
        + "\": {\"bundle\": \"bundle\", \"method\": \"tent\", \"batchSize\": " + BATCH
        + ", \"maxLatencyMs\": 600000}}}");
  }

  @AfterAll
  static void stop() {
    broker.close();
  }

  static Map<String, String> props(String appId, String topicPrefix) {
    Map<String, String> p = new LinkedHashMap<>();
    p.put(WorkerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
    p.put(WorkerConfig.APPLICATION_ID_CONFIG, appId);
    p.put(WorkerConfig.CATALOG_FILE_CONFIG, dir.resolve("catalog.json").toString());
    p.put(WorkerConfig.SIGNING_KEY_FILE_CONFIG, dir.resolve("worker.key").toString());
    p.put(WorkerConfig.STATE_DIR_CONFIG, dir.resolve("state-" + appId).toString());
    p.put(WorkerConfig.HTTP_PORT_CONFIG, "-1");
    p.put(WorkerConfig.TOPIC_PARTITIONS_CONFIG, "2");
    // one ONNX Runtime thread: the same float sums in the same order in both runs
    p.put(WorkerConfig.RUNTIME_THREADS_CONFIG, "1");
    p.put("topic.prefix", topicPrefix);
    p.put("topic.traffic", "attune.traffic");
    return p;
  }

  @Test
  void aKilledAndRestartedWorkerPublishesEachVersionOnceAndEndsWhereAnUninterruptedOneDoes()
      throws Exception {
    List<InferenceSample> traffic = new ArrayList<>();
    traffic.addAll(Traffic.corrupted("noise", "gaussian_noise", 5, PER_COHORT));
    traffic.addAll(Traffic.corrupted("blur", "defocus_blur", 5, PER_COHORT));
    Map<String, String> crashProps = props("crash-app", "attune.");
    Path config = writeProperties(crashProps, dir.resolve("crash.properties"));

    // topics first: an idempotent producer racing a topic's creation can stall on
    // OUT_OF_ORDER_SEQUENCE_NUMBER retries
    io.attune.topology.TopicSetup.ensureTopics(new WorkerConfig(crashProps));
    Traffic.send(broker.bootstrapServers(), "attune.traffic", traffic);
    assertThat(trafficEndOffsets()).as("traffic on the broker before the worker starts")
        .isEqualTo(traffic.size());
    Process first = startWorkerProcess(config, dir.resolve("worker-1.log"));
    int seen = awaitUncommittedVersions("attune.params", 3, Duration.ofMinutes(4), first);
    first.destroyForcibly().waitFor();
    System.out.println("killed the worker after seeing " + seen + " of "
        + 2 * PER_COHORT / BATCH + " versions (uncommitted included)");

    Process second = startWorkerProcess(config, dir.resolve("worker-2.log"));
    List<AdaptedPrediction> predictions;
    try {
      predictions = Traffic.readCommitted(broker.bootstrapServers(), "attune.predictions",
          traffic.size(), Duration.ofMinutes(6), RecordType.ADAPTED_PREDICTION.codec()::decode);
    } finally {
      second.destroy();
      second.waitFor();
    }
    List<NormParamsUpdate> crashed = Traffic.readCommitted(broker.bootstrapServers(),
        "attune.params", 2 * PER_COHORT / BATCH, Duration.ofSeconds(20),
        RecordType.NORM_PARAMS_UPDATE.codec()::decode);

    if (predictions.size() != traffic.size()) {
      System.out.println(diagnostics());
    }
    assertThat(predictions).as("worker logs in " + dir).hasSize(traffic.size());
    Map<String, Long> batchSizes = predictions.stream().collect(Collectors.groupingBy(
        p -> p.getCohort() + "@" + p.getParamsVersion(), TreeMap::new, Collectors.counting()));
    assertThat(batchSizes.values()).as("every sample in exactly one batch")
        .allMatch(n -> n == BATCH);
    assertThat(predictions.stream().map(AdaptedPrediction::getSampleId).distinct().count())
        .isEqualTo(traffic.size());
    for (String cohort : COHORTS) {
      assertThat(crashed.stream().filter(u -> u.getCohort().equals(cohort))
          .map(NormParamsUpdate::getVersion)).as(cohort + " versions")
          .containsExactlyElementsOf(LongStream.rangeClosed(1, PER_COHORT / BATCH).boxed()
              .toList());
    }

    Map<String, String> cleanProps = props("clean-app", "clean.");
    List<NormParamsUpdate> clean;
    try (Worker worker = Worker.start(new WorkerConfig(cleanProps))) {
      clean = Traffic.readCommitted(broker.bootstrapServers(), "clean.params",
          2 * PER_COHORT / BATCH, Duration.ofMinutes(6),
          RecordType.NORM_PARAMS_UPDATE.codec()::decode);
    }
    for (String cohort : COHORTS) {
      NormParamsUpdate a = last(crashed, cohort);
      NormParamsUpdate b = last(clean, cohort);
      assertThat(a.getVersion()).isEqualTo(b.getVersion());
      double diff = maxAbsDifference(layers(a), layers(b));
      System.out.printf("%s: final parameters of the crashed and the clean run differ by at "
          + "most %.3g%n", cohort, diff);
      assertThat(diff).as(cohort + " final parameters, max abs difference").isZero();
    }
  }

  static void deleteRecursively(Path root) throws IOException {
    if (Files.exists(root)) {
      try (var paths = Files.walk(root)) {
        for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }
    }
  }

  static long trafficEndOffsets() throws Exception {
    try (var admin = org.apache.kafka.clients.admin.Admin.create(Map.of("bootstrap.servers",
        broker.bootstrapServers()))) {
      Map<org.apache.kafka.common.TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> latest =
          new HashMap<>();
      for (int p = 0; p < 2; p++) {
        latest.put(new org.apache.kafka.common.TopicPartition("attune.traffic", p),
            org.apache.kafka.clients.admin.OffsetSpec.latest());
      }
      return admin.listOffsets(latest).all().get().values().stream()
          .mapToLong(o -> o.offset()).sum();
    }
  }

  /** Offsets and producers of the traffic, for when the counts do not add up. */
  static String diagnostics() throws Exception {
    try (var admin = org.apache.kafka.clients.admin.Admin.create(Map.of("bootstrap.servers",
        broker.bootstrapServers()))) {
      var parts = List.of(new org.apache.kafka.common.TopicPartition("attune.traffic", 0),
          new org.apache.kafka.common.TopicPartition("attune.traffic", 1));
      Map<org.apache.kafka.common.TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> latest =
          new HashMap<>();
      parts.forEach(p -> latest.put(p, org.apache.kafka.clients.admin.OffsetSpec.latest()));
      return "DIAG end offsets (uncommitted) " + admin.listOffsets(latest).all().get()
          + "\nDIAG end offsets (committed) " + admin.listOffsets(latest,
              new org.apache.kafka.clients.admin.ListOffsetsOptions(
                  org.apache.kafka.common.IsolationLevel.READ_COMMITTED)).all().get()
          + "\nDIAG group offsets " + admin.listConsumerGroupOffsets("crash-app")
              .partitionsToOffsetAndMetadata().get()
          + "\nDIAG producers " + admin.describeProducers(parts).all().get();
    }
  }

  static NormParamsUpdate last(List<NormParamsUpdate> updates, String cohort) {
    return updates.stream().filter(u -> u.getCohort().equals(cohort))
        .reduce((a, b) -> b.getVersion() > a.getVersion() ? b : a).orElseThrow();
  }

  /** Every layer's scale, bias, mean and variance, in order, by layer name. */
  static Map<String, List<float[]>> layers(NormParamsUpdate u) {
    Map<String, List<float[]>> out = new TreeMap<>();
    for (LayerParams l : u.getLayers()) {
      out.put(l.getLayer(), List.of(floats(l.getScale().getData()), floats(l.getBias().getData()),
          floats(l.getMean().getData()), floats(l.getVar().getData())));
    }
    return out;
  }

  static float[] floats(java.nio.ByteBuffer b) {
    float[] out = new float[b.remaining() / 4];
    b.duplicate().order(java.nio.ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
    return out;
  }

  static double maxAbsDifference(Map<String, List<float[]>> a, Map<String, List<float[]>> b) {
    assertThat(a.keySet()).isEqualTo(b.keySet());
    double max = 0;
    for (String layer : a.keySet()) {
      for (int t = 0; t < 4; t++) {
        float[] x = a.get(layer).get(t);
        float[] y = b.get(layer).get(t);
        assertThat(x.length).isEqualTo(y.length);
        for (int i = 0; i < x.length; i++) {
          max = Math.max(max, Math.abs((double) x[i] - y[i]));
        }
      }
    }
    return max;
  }

  static Path writeProperties(Map<String, String> props, Path file) throws IOException {
    Properties p = new Properties();
    p.putAll(props);
    try (var out = Files.newBufferedWriter(file)) {
      p.store(out, "crash test worker");
    }
    return file;
  }

  /** The real launcher's jar, in a JVM of its own, so that killing it is a real crash. */
  static Process startWorkerProcess(Path config, Path log) throws IOException {
    Path jar = RepoRoot.find().resolve("cli/target/attune.jar");
    assertThat(jar).as("built by the cli module before the integration tests").exists();
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    return new ProcessBuilder(java, "-Dorg.slf4j.simpleLogger.log.org.apache.kafka.streams=info",
        "-Dorg.slf4j.simpleLogger.log.org.apache.kafka.clients.consumer=info",
        "-jar", jar.toString(), "worker", "--config",
        config.toString()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
  }

  /**
   * Watches a topic with {@code read_uncommitted}, so that the kill lands while transactions
   * are open, and returns once {@code versions} records were written.
   */
  static int awaitUncommittedVersions(String topic, int versions, Duration timeout,
      Process worker) {
    try (var consumer = new org.apache.kafka.clients.consumer.KafkaConsumer<byte[], byte[]>(
        Map.of("bootstrap.servers", broker.bootstrapServers(), "isolation.level",
            "read_uncommitted"), new org.apache.kafka.common.serialization.ByteArrayDeserializer(),
        new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
      var partitions = consumer.partitionsFor(topic).stream().map(p ->
          new org.apache.kafka.common.TopicPartition(topic, p.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      long deadline = System.nanoTime() + timeout.toNanos();
      int seen = 0;
      while (System.nanoTime() < deadline) {
        assertThat(worker.isAlive()).as("worker process alive; log in " + dir).isTrue();
        seen += consumer.poll(Duration.ofMillis(50)).count();
        if (seen >= versions) {
          return seen;
        }
      }
    }
    throw new AssertionError("fewer than " + versions + " versions on " + topic + " within "
        + timeout);
  }
}
