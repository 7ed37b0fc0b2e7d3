package io.attune.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.attune.adaptation.ReferenceModel;
import io.attune.adaptation.bundle.ModelBundle;
import io.attune.broker.EmbeddedKafka;
import io.attune.edge.EdgeModel;
import io.attune.edge.UploadFilter;
import io.attune.simulators.fleet.CohortPlan;
import io.attune.simulators.fleet.CohortSummary;
import io.attune.simulators.fleet.FleetConfig;
import io.attune.simulators.fleet.FleetResult;
import io.attune.simulators.fleet.FleetSimulator;
import io.attune.simulators.fleet.KafkaParamsDelivery;
import io.attune.simulators.fleet.KafkaUplink;
import io.attune.simulators.fleet.TimelineFormat;
import io.attune.simulators.fleet.TimelinePoint;
import io.attune.simulators.schedule.LabeledImages;
import io.attune.simulators.schedule.Schedule;
import io.attune.simulators.traffic.KafkaTraffic;
import io.attune.topology.ModelCatalog;
import io.attune.topology.Worker;
import io.attune.topology.WorkerConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole loop on a real broker: simulated devices predict forward-only, upload what CEMA's
 * filter selects to the traffic topic, a worker adapts on the uploads with TENT and publishes
 * signed parameters, and each device's own subscriber verifies and applies them. A frozen twin
 * scores the source model on the same samples.
 */
class FleetIT {

  static final int BATCH = 64;
  static final int DEVICES = 2;
  static final int SAMPLES_PER_DEVICE = 1_500;
  static final int WINDOW = 400;

  @TempDir
  static Path dir;
  static EmbeddedKafka broker;
  static KeyPair keys;
  static ModelBundle bundle;

  @BeforeAll
  static void start() throws Exception {
    broker = EmbeddedKafka.start(EmbeddedKafka.Options.defaults());
    keys = ItWorker.writeSigningKeys(dir);
    bundle = ReferenceModel.prepareBundle(Files.createDirectories(dir.resolve("bundle")));
  }

  @AfterAll
  static void stop() {
    broker.close();
  }

  static WorkerConfig workerConfig() {
    Map<String, String> props = ItWorker.props(broker, dir, "fleet-it", "state");
    props.put(WorkerConfig.HTTP_PORT_CONFIG, "-1");
    props.put(WorkerConfig.RUNTIME_THREADS_CONFIG, "1");
    return new WorkerConfig(props);
  }

  @Test
  void devicesOnSeverityFiveNoiseBeatTheirFrozenTwinWhileUploadingUnderHalfTheirSamples()
      throws Exception {
    WorkerConfig config = workerConfig();
    FleetConfig fleetConfig = new FleetConfig(Traffic.MODEL,
        List.of(new CohortPlan("noisy", Schedule.parse("gaussian_noise:5"))), DEVICES, 16,
        SAMPLES_PER_DEVICE, WINDOW, 7, UploadFilter.Config.cema(10,
            UploadFilter.Budget.unlimited()), Duration.ofMillis(20));
    LabeledImages images = LabeledImages.read(ReferenceModel.testImages(),
        ReferenceModel.testLabels());
    String bootstrap = broker.bootstrapServers();
    FleetResult result;
    long versions;
    // the worker creates the topics before the uplink's idempotent producer writes to them;
    // no latency bound within the run, so that only full batches step and the versions can be
    // counted from the uploads, however slowly a loaded machine lets the fleet go
    try (Worker worker = Worker.start(config, ModelCatalog.single(Traffic.MODEL,
            bundle.dir(), "tent", BATCH, Duration.ofHours(1).toMillis()));
        KafkaUplink uplink = new KafkaUplink(KafkaTraffic.connect(bootstrap,
            Duration.ofSeconds(30), config.topics().traffic()), config.topics().traffic().name());
        KafkaParamsDelivery delivery = new KafkaParamsDelivery(
            Map.of("bootstrap.servers", bootstrap), config.topics().params().name());
        FleetSimulator fleet = FleetSimulator.create(bundle, fleetConfig, images,
            keys.getPublic(), delivery, uplink)) {
      worker.awaitRunning(Duration.ofSeconds(60));
      long started = System.nanoTime();
      result = fleet.run(points -> { });
      System.out.printf("FleetIT: fleet ran %.1f s%n", (System.nanoTime() - started) / 1e9);

      // every full batch of uploads becomes a version, and every version reaches every device
      versions = result.cohorts().get("noisy").uploads().uploaded() / BATCH;
      awaitTrue(() -> Optional.ofNullable(worker.metrics().latestSteps()
          .get(Traffic.MODEL + "/noisy")).map(s -> s.version() == versions).orElse(false),
          "the worker to publish version " + versions);
      awaitTrue(() -> fleet.deviceModels().stream().allMatch(d -> d.version() == versions),
          "every device to apply version " + versions);
      for (EdgeModel device : fleet.deviceModels()) {
        assertThat(device.stats().rejectedTotal()).as("refused updates").isZero();
        assertThat(device.stats().applied()).as("each version applied once, in order")
            .isEqualTo(versions);
      }
    }

    CohortSummary noisy = result.cohorts().get("noisy");
    TimelinePoint last = result.timeline().get(result.timeline().size() - 1);
    UploadFilter.Counts uploads = noisy.uploads();
    System.out.println(TimelineFormat.header());
    result.timeline().stream().filter(p -> p.tick() % 10 == 0)
        .forEach(p -> System.out.println(TimelineFormat.line(p)));
    System.out.printf("FleetIT gaussian_noise:5, %d devices x %d samples, tent batch %d: frozen "
        + "%.1f%%, adapted %.1f%% (%+.1f pp); last %d samples: frozen %.1f%%, adapted %.1f%% "
        + "(%+.1f pp); uploaded %d of %d samples (%.1f%%, a cut of %.1f%%: %d unreliable, %d "
        + "low-informative); %d versions%n", DEVICES, SAMPLES_PER_DEVICE, BATCH,
        100 * noisy.sourceAccuracy(), 100 * noisy.adaptedAccuracy(),
        100 * (noisy.adaptedAccuracy() - noisy.sourceAccuracy()), WINDOW,
        100 * last.sourceAccuracy(), 100 * last.adaptedAccuracy(),
        100 * (last.adaptedAccuracy() - last.sourceAccuracy()), uploads.uploaded(),
        uploads.seen(), 100 * uploads.uploadShare(), 100 * (1 - uploads.uploadShare()),
        uploads.unreliable(), uploads.lowInformative(), versions);

    assertThat(noisy.samples()).isEqualTo((long) DEVICES * SAMPLES_PER_DEVICE);
    assertThat(noisy.adaptedAccuracy()).as("adapted accuracy over the whole run")
        .isGreaterThanOrEqualTo(noisy.sourceAccuracy() + 0.10);
    assertThat(last.adaptedAccuracy()).as("adapted accuracy over the last samples")
        .isGreaterThanOrEqualTo(last.sourceAccuracy() + 0.15);
    assertThat(uploads.uploadShare()).as("share of samples uploaded").isLessThan(0.5);
    assertThat(uploads.unreliable()).isPositive();
    assertThat(uploads.lowInformative()).isPositive();
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
