package io.attune.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.attune.adaptation.ReferenceModel;
import io.attune.broker.EmbeddedKafka;
import io.attune.schemas.AdaptedPrediction;
import io.attune.schemas.DeadLetter;
import io.attune.schemas.InferenceSample;
import io.attune.schemas.NormParamsUpdate;
import io.attune.schemas.RejectReason;
import io.attune.schemas.serde.RecordType;
import io.attune.schemas.signing.UpdateSignatures;
import io.attune.schemas.signing.Verification;
import io.attune.topology.ModelCatalog;
import io.attune.topology.Worker;
import io.attune.topology.WorkerConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Simulated traffic through a real broker and a real worker, read back as a user would. */
class WorkerIT {

  static final int BATCH = 64;
  static final int SAMPLES = 10 * BATCH;

  @TempDir
  static Path dir;
  static EmbeddedKafka broker;
  static KeyPair keys;

  @BeforeAll
  static void startBroker() throws Exception {
    broker = EmbeddedKafka.start(EmbeddedKafka.Options.defaults());
    keys = ItWorker.writeSigningKeys(dir);
    ReferenceModel.prepareBundle(Files.createDirectories(dir.resolve("bundle")));
  }

  @AfterAll
  static void stopBroker() {
    broker.close();
  }

  static Map<String, String> workerProps(String appId) {
    return ItWorker.props(broker, dir, appId, "state-" + appId);
  }

  @Test
  void adaptedPredictionsOnSeverityFiveNoiseBeatTheSourceAndEveryRecordIsAccountedFor()
      throws Exception {
    ModelCatalog catalog = ModelCatalog.single(Traffic.MODEL, dir.resolve("bundle"), "tent",
        BATCH, 2_000);
    ModelCatalog.Model m = catalog.model(Traffic.MODEL).orElseThrow();
    catalog = new ModelCatalog(Map.of(Traffic.MODEL, new ModelCatalog.Model(m.id(), m.bundle(),
        m.defaults(), Map.of("frozen", new ModelCatalog.Adaptation("source", BATCH, 2_000)))));
    WorkerConfig config = new WorkerConfig(workerProps("it-worker"));
    try (Worker worker = Worker.start(config, catalog)) {
      worker.awaitRunning(Duration.ofSeconds(60));
      List<InferenceSample> adapted = Traffic.corrupted("noisy", "gaussian_noise", 5, SAMPLES);
      List<InferenceSample> frozen = Traffic.corrupted("frozen", "gaussian_noise", 5, SAMPLES);
      List<InferenceSample> all = new ArrayList<>();
      for (int i = 0; i < SAMPLES; i++) {
        all.add(adapted.get(i));
        all.add(frozen.get(i));
      }
      String traffic = config.topics().traffic().name();
      Traffic.send(broker.bootstrapServers(), traffic, all);
      try (KafkaProducer<byte[], byte[]> producer = Traffic.producer(
          broker.bootstrapServers())) {
        producer.send(new ProducerRecord<>(traffic, "fmnist/noisy".getBytes(
            StandardCharsets.UTF_8), "not avro".getBytes(StandardCharsets.UTF_8)));
        InferenceSample unknown = InferenceSample.newBuilder(adapted.get(0)).setModel("nope")
            .build();
        producer.send(new ProducerRecord<>(traffic, Traffic.key(unknown),
            RecordType.INFERENCE_SAMPLE.codec().encode(unknown)));
      }

      long started = System.nanoTime();
      List<AdaptedPrediction> predictions = Traffic.readCommitted(broker.bootstrapServers(),
          config.topics().predictions().name(), 2 * SAMPLES, Duration.ofMinutes(8),
          RecordType.ADAPTED_PREDICTION.codec()::decode);
      List<DeadLetter> letters = Traffic.readCommitted(broker.bootstrapServers(),
          config.topics().dlq().name(), 2, Duration.ofSeconds(30),
          RecordType.DEAD_LETTER.codec()::decode);
      List<NormParamsUpdate> updates = Traffic.readCommitted(broker.bootstrapServers(),
          config.topics().params().name(), 20, Duration.ofSeconds(30),
          RecordType.NORM_PARAMS_UPDATE.codec()::decode);

      System.out.printf("%d predictions after %.1f s; steps %.0f, step latency: %s%n",
          predictions.size(), (System.nanoTime() - started) / 1e9,
          worker.metrics().count("attune.batches"), worker.metrics().latestSteps());
      assertThat(predictions).as("every valid sample is predicted exactly once")
          .hasSize(2 * SAMPLES);
      assertThat(predictions.stream().map(AdaptedPrediction::getSampleId).distinct().count())
          .isEqualTo(2L * SAMPLES);
      assertThat(letters).extracting(DeadLetter::getReason)
          .containsExactlyInAnyOrder(RejectReason.MALFORMED, RejectReason.UNKNOWN_MODEL);
      double adaptedAccuracy = accuracy(predictions, "noisy");
      double sourceAccuracy = accuracy(predictions, "frozen");
      System.out.printf("gaussian_noise:5, %d samples: source %.2f%%, tent %.2f%%%n", SAMPLES,
          100 * sourceAccuracy, 100 * adaptedAccuracy);
      assertThat(adaptedAccuracy).isGreaterThan(sourceAccuracy + 0.10);
      int port = worker.httpPort().orElseThrow();
      assertThat(get(port, "/health")).contains("RUNNING");
      assertThat(get(port, "/ready")).contains("RUNNING");
      assertThat(get(port, "/cohorts/fmnist/noisy")).contains("\"version\" : 10")
          .contains("\"samplesAdapted\" : 640");
      assertThat(get(port, "/metrics")).contains("attune_samples_in_total 1280.0")
          .contains("attune_dead_letters_total{reason=\"MALFORMED\"} 1.0")
          .contains("attune_cohort_params_version{cohort=\"fmnist/noisy\"} 10.0");
      for (String cohort : List.of("noisy", "frozen")) {
        List<NormParamsUpdate> mine = updates.stream()
            .filter(u -> u.getCohort().equals(cohort)).toList();
        assertThat(mine).extracting(NormParamsUpdate::getVersion)
            .containsExactlyElementsOf(LongStream.rangeClosed(1, 10).boxed().toList());
        assertThat(mine).allSatisfy(u -> assertThat(UpdateSignatures.verify(u,
            keys.getPublic())).isEqualTo(Verification.VALID));
      }
    }
  }

  static String get(int port, String path) throws Exception {
    java.net.http.HttpResponse<String> response = java.net.http.HttpClient.newHttpClient().send(
        java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port
            + path)).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(path).isEqualTo(200);
    return response.body();
  }

  static double accuracy(List<AdaptedPrediction> predictions, String cohort) {
    List<AdaptedPrediction> mine = predictions.stream()
        .filter(p -> p.getCohort().equals(cohort)).toList();
    return mine.stream().filter(p -> p.getPredictedClass() == p.getLabel()).count()
        / (double) mine.size();
  }
}
