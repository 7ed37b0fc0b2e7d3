package io.attune.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.attune.adaptation.ReferenceModel;
import io.attune.adaptation.bundle.ModelBundle;
import io.attune.adaptation.runtime.RuntimeOptions;
import io.attune.broker.EmbeddedKafka;
import io.attune.edge.EdgeModel;
import io.attune.edge.ParamsSubscriber;
import io.attune.edge.Prediction;
import io.attune.schemas.AdaptedPrediction;
import io.attune.schemas.InferenceSample;
import io.attune.schemas.serde.RecordType;
import io.attune.topology.ModelCatalog;
import io.attune.topology.Worker;
import io.attune.topology.WorkerConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * AdaNPC's kNN memory from a real worker, through a real broker, to an edge device: the device
 * predicts the next batch as the worker then does.
 */
class EdgeKnnMemoryIT {

  static final int BATCH = 32;
  static final String COHORT = "knn";

  @TempDir
  static Path dir;
  static EmbeddedKafka broker;
  static KeyPair keys;
  static ModelBundle bundle;

  @BeforeAll
  static void startBroker() throws Exception {
    broker = EmbeddedKafka.start(EmbeddedKafka.Options.defaults());
    keys = ItWorker.writeSigningKeys(dir);
    bundle = ReferenceModel.prepareMonitoredBundle(Files.createDirectories(
        dir.resolve("bundle")));
  }

  @AfterAll
  static void stopBroker() {
    broker.close();
  }

  static WorkerConfig workerConfig() {
    Map<String, String> props = ItWorker.props(broker, dir, "it-knn-worker", "state");
    props.put(WorkerConfig.RUNTIME_THREADS_CONFIG, "1");
    props.put(WorkerConfig.DRIFT_MONITORING_CONFIG, "false");
    return new WorkerConfig(props);
  }

  @Test
  void anEdgeWithTheWorkersAdaNpcMemoryPredictsTheNextBatchAsTheWorkerDoes() throws Exception {
    WorkerConfig config = workerConfig();
    List<InferenceSample> traffic = Traffic.images(COHORT, 0, 3 * BATCH, "gaussian_noise", 3);
    String bootstrap = broker.bootstrapServers();
    Map<String, Object> kafka = Map.of("bootstrap.servers", bootstrap);
    // no latency bound within the run: only full batches step
    try (Worker worker = Worker.start(config, ModelCatalog.single(Traffic.MODEL, bundle.dir(),
            "adanpc", BATCH, Duration.ofHours(1).toMillis()));
        EdgeModel device = EdgeModel.open(bundle, new EdgeModel.Options(Traffic.MODEL, COHORT,
            keys.getPublic(), RuntimeOptions.cpu(1)))) {
      worker.awaitRunning(Duration.ofSeconds(60));
      Traffic.send(bootstrap, config.topics().traffic().name(), traffic.subList(0, 2 * BATCH));
      assertThat(predictions(config, 2 * BATCH)).hasSize(2 * BATCH);

      float[] edge;
      try (ParamsSubscriber params = ParamsSubscriber.start(device,
              config.topics().params().name(), kafka);
          ParamsSubscriber memory = ParamsSubscriber.startMemory(device,
              config.topics().memory().name(), kafka)) {
        awaitTrue(() -> device.version() == 2 && device.memoryVersion() == 2,
            "the device to apply parameters and memory version 2");
        assertThat(device.predictsWithMemory()).isTrue();
        assertThat(device.stats().rejectedTotal()).as("refused updates").isZero();
        // the third batch, predicted with the memory of the first two before the worker sees it
        edge = probabilities(device.predictBatch(pixels(traffic.subList(2 * BATCH,
            3 * BATCH)), BATCH));
      }

      Traffic.send(bootstrap, config.topics().traffic().name(),
          traffic.subList(2 * BATCH, 3 * BATCH));
      List<AdaptedPrediction> all = predictions(config, 3 * BATCH);
      float max = 0;
      for (int i = 0; i < BATCH; i++) {
        String id = traffic.get(2 * BATCH + i).getSampleId();
        AdaptedPrediction worker3 = all.stream().filter(p -> p.getSampleId().equals(id))
            .findFirst().orElseThrow();
        assertThat(worker3.getParamsVersion()).isEqualTo(3);
        for (int c = 0; c < 10; c++) {
          max = Math.max(max, Math.abs(edge[i * 10 + c] - worker3.getProbabilities().get(c)));
        }
      }
      System.out.printf("EdgeKnnMemoryIT: edge vs worker AdaNPC on the third batch of %d: "
          + "max |p_edge - p_worker| = %.3g%n", BATCH, max);
      assertThat(max).as("edge vs worker AdaNPC").isLessThan(1e-4f);
    }
  }

  private List<AdaptedPrediction> predictions(WorkerConfig config, int expected) {
    return Traffic.readCommitted(broker.bootstrapServers(), config.topics().predictions()
        .name(), expected, Duration.ofMinutes(3), RecordType.ADAPTED_PREDICTION.codec()::decode);
  }

  private static byte[] pixels(List<InferenceSample> samples) {
    byte[] out = new byte[samples.size() * 784];
    for (int i = 0; i < samples.size(); i++) {
      samples.get(i).getInput().getData().duplicate().get(out, i * 784, 784);
    }
    return out;
  }

  private static float[] probabilities(List<Prediction> predictions) {
    float[] out = new float[predictions.size() * 10];
    for (int i = 0; i < predictions.size(); i++) {
      System.arraycopy(predictions.get(i).probabilities(), 0, out, i * 10, 10);
    }
    return out;
  }

  private static void awaitTrue(BooleanSupplier condition, String what)
      throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("waited 60 s for " + what).isLessThan(deadline);
      Thread.sleep(100);
    }
  }
}
