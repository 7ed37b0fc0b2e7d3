package io.attune.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.attune.adaptation.ReferenceModel;
import io.attune.broker.EmbeddedKafka;
import io.attune.schemas.AdaptedPrediction;
import io.attune.schemas.AlertState;
import io.attune.schemas.DriftAlert;
import io.attune.schemas.InferenceSample;
import io.attune.schemas.NormParamsUpdate;
import io.attune.schemas.UpdateKind;
import io.attune.schemas.serde.RecordType;
import io.attune.topology.ModelCatalog;
import io.attune.topology.Worker;
import io.attune.topology.WorkerConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import org.apache.kafka.common.serialization.Deserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A shift injected into a cohort's real traffic, through a real broker and a worker with drift
 * monitoring on: clean Fashion-MNIST test images (the detectors' 20-batch warm-up), then
 * {@code fog} at severity 5, then clean images again; and beside it a class-sorted cohort, on
 * which TENT collapses and the guard publishes the source parameters. The alerts are read back
 * from {@code attune.alerts} with the topic catalogue's serde, as an operator's consumer would.
 */
class DriftIT {

  static final int BATCH = 64;
  static final int CLEAN = 20 * BATCH;
  static final int SHIFTED = 6 * BATCH;
  static final int RETURN = 6 * BATCH;
  static final int SORTED = 10 * BATCH;

  @TempDir
  static Path dir;
  static EmbeddedKafka broker;

  @BeforeAll
  static void startBroker() throws Exception {
    broker = EmbeddedKafka.start(EmbeddedKafka.Options.defaults());
    ItWorker.writeSigningKeys(dir);
    ReferenceModel.prepareMonitoredBundle(Files.createDirectories(dir.resolve("bundle")));
  }

  @AfterAll
  static void stopBroker() {
    broker.close();
  }

  @Test
  void aShiftIsRaisedOnceAndResolvedOnceOnTheAlertsTopicAndACollapsingCohortGetsTheSource()
      throws Exception {
    Map<String, String> props = ItWorker.props(broker, dir, "it-drift", "state");
    WorkerConfig config = new WorkerConfig(props);
    ModelCatalog catalog = ModelCatalog.single(Traffic.MODEL, dir.resolve("bundle"), "tent",
        BATCH, 60_000);
    try (Worker worker = Worker.start(config, catalog)) {
      worker.awaitRunning(Duration.ofSeconds(60));
      List<InferenceSample> traffic = new ArrayList<>();
      traffic.addAll(Traffic.images("site-a", 0, CLEAN, null, 0));
      traffic.addAll(Traffic.images("site-a", CLEAN, SHIFTED, "fog", 5));
      traffic.addAll(Traffic.images("site-a", CLEAN + SHIFTED, RETURN, null, 0));
      // a second cohort, clean but sorted by class (labels only order the stream): TENT
      // collapses on it, and the guard publishes the source parameters instead
      List<InferenceSample> sorted = new ArrayList<>(Traffic.images("sorted", 0, SORTED, null,
          0));
      sorted.sort(Comparator.comparing(InferenceSample::getLabel));
      traffic.addAll(sorted);
      Traffic.send(broker.bootstrapServers(), config.topics().traffic().name(), traffic);

      List<AdaptedPrediction> predictions = Traffic.readCommitted(broker.bootstrapServers(),
          config.topics().predictions().name(), traffic.size(), Duration.ofMinutes(4),
          RecordType.ADAPTED_PREDICTION.codec()::decode);
      assertThat(predictions).hasSize(traffic.size());
      String alertsTopic = config.topics().alerts().name();
      Deserializer<DriftAlert> serde = config.topics().alerts().valueSerde().deserializer();
      List<DriftAlert> alerts = Traffic.readCommitted(broker.bootstrapServers(), alertsTopic, 1,
          Duration.ofSeconds(30), bytes -> serde.deserialize(alertsTopic, bytes));
      List<NormParamsUpdate> all = Traffic.readCommitted(broker.bootstrapServers(),
          config.topics().params().name(), 42, Duration.ofSeconds(30),
          RecordType.NORM_PARAMS_UPDATE.codec()::decode);
      List<NormParamsUpdate> updates = all.stream().filter(u -> u.getCohort().equals("site-a"))
          .toList();
      List<NormParamsUpdate> guarded = all.stream().filter(u -> u.getCohort().equals("sorted"))
          .toList();
      List<DriftAlert> guardAlerts = alerts.stream().filter(a -> a.getCohort().equals("sorted"))
          .toList();
      alerts = alerts.stream().filter(a -> a.getCohort().equals("site-a")).toList();
      guardAlerts.forEach(a -> System.out.printf("sorted, version %d, %s %s: %s%n",
          a.getFirstBatch(), a.getState(), a.getSignal(), a.getSummary()));
      System.out.println("sorted cohort's update kinds: " + guarded.stream()
          .map(u -> u.getVersion() + ":" + u.getKind()).toList());
      alerts.forEach(a -> System.out.printf("version %d, %s %s: %s%n", a.getFirstBatch(),
          a.getState(), a.getSignal(), a.getSummary()));

      assertThat(alerts).as("the shift: exactly one RAISED alert, then one RESOLVED once the "
          + "stream is clean again").extracting(DriftAlert::getSignal, DriftAlert::getState)
          .containsExactly(org.assertj.core.groups.Tuple.tuple("data-drift", AlertState.RAISED),
              org.assertj.core.groups.Tuple.tuple("data-drift", AlertState.RESOLVED));
      assertThat(alerts.get(0).getSummary()).as("the statistics divergence sees fog")
          .contains("statistics divergence rose to");
      long shiftStart = CLEAN / BATCH + 1;
      assertThat(alerts.get(1).getTime().toEpochMilli()).as("resolved after the fog ended")
          .isGreaterThan(alerts.get(0).getTime().toEpochMilli());
      assertThat(alerts).allSatisfy(a -> {
        assertThat(a.getModel()).isEqualTo(Traffic.MODEL);
        assertThat(a.getCohort()).isEqualTo("site-a");
        assertThat(a.getFirstBatch()).as("raised within 3 batches of the shift")
            .isBetween(shiftStart, shiftStart + 2);
        assertThat(a.getSourceAccuracyEstimate()).isBetween(0f, 1f);
        assertThat(a.getAdaptedAccuracyEstimate()).isBetween(0f, 1f);
      });
      assertThat(updates).extracting(NormParamsUpdate::getKind).containsOnly(UpdateKind.ADAPTED);

      assertThat(guarded).extracting(NormParamsUpdate::getVersion)
          .containsExactlyElementsOf(LongStream.rangeClosed(1, SORTED / BATCH).boxed().toList());
      assertThat(guarded.get(0).getKind()).isEqualTo(UpdateKind.ADAPTED);
      assertThat(guarded.get(guarded.size() - 1).getKind()).as("still reverted at the end")
          .isEqualTo(UpdateKind.SOURCE);
      assertThat(guardAlerts).extracting(DriftAlert::getSignal, DriftAlert::getState)
          .contains(org.assertj.core.groups.Tuple.tuple("accuracy-guard", AlertState.RAISED));
      long reverted = guardAlerts.stream().filter(a -> a.getSignal().equals("accuracy-guard"))
          .findFirst().orElseThrow().getFirstBatch();
      assertThat(guarded.get((int) reverted - 1).getKind()).as("the version the guard reverted")
          .isEqualTo(UpdateKind.SOURCE);
      assertThat(guarded.get((int) reverted - 2).getKind()).isEqualTo(UpdateKind.ADAPTED);

      int port = worker.httpPort().orElseThrow();
      assertThat(WorkerIT.get(port, "/cohorts/fmnist/site-a")).contains("\"drift\"")
          .contains("\"publishing\" : \"adapted\"").contains("\"openAlerts\" : [ ]")
          .contains("\"detectorsInAlarm\" : [ ]");
      assertThat(WorkerIT.get(port, "/alerts")).doesNotContain("site-a")
          .contains("fmnist/sorted", "\"signal\" : \"accuracy-guard\"",
              "\"publishing\" : \"source\"", "publishing the source parameters at batch");
      assertThat(WorkerIT.get(port, "/metrics"))
          .contains("attune_cohort_open_alerts{cohort=\"fmnist/site-a\"} 0.0")
          .contains("attune_cohort_publishing_adapted{cohort=\"fmnist/sorted\"} 0.0")
          .contains("attune_cohort_accuracy_estimate{cohort=\"fmnist/site-a\",model=\"source\"}")
          .contains("attune_alerts_total{signal=\"data-drift\",state=\"RAISED\"} 1.0")
          .contains("attune_alerts_total{signal=\"data-drift\",state=\"RESOLVED\"} 1.0");
    }
  }
}
