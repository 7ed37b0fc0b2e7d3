package io.attune.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.attune.adaptation.ReferenceModel;
import io.attune.adaptation.bundle.BundleManifest;
import io.attune.adaptation.runtime.RuntimeOptions;
import io.attune.schemas.AdaptedPrediction;
import io.attune.schemas.AlertState;
import io.attune.schemas.DriftAlert;
import io.attune.schemas.InferenceSample;
import io.attune.schemas.LayerParams;
import io.attune.schemas.NormParamsUpdate;
import io.attune.schemas.UpdateKind;
import io.attune.schemas.serde.RecordType;
import io.attune.schemas.signing.SigningKeys;
import io.attune.topology.adapt.CohortStepper;
import io.attune.topology.adapt.DriftAlerts;
import io.attune.topology.adapt.ModelRegistry;
import io.attune.topology.metrics.WorkerMetrics;
import io.attune.topology.processor.SignedRecordCodecs;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Drift monitoring in the topology, on the reference model with TENT at batch 64: alerts on the
 * alerts topic for a shift and its end, and guarded publishing on a class-sorted stream where
 * TENT collapses.
 */
class DriftTopologyTest {

  static final int BATCH = 64;
  /** The detectors' warm-up: the baseline comes from the cohort's first 20 batches. */
  static final int WARMUP_BATCHES = 20;
  static final int SHIFT_BATCHES = 6;
  static final int RETURN_BATCHES = 6;
  /** Pixel noise of the shift, 0..255 units: about gaussian_noise at severity 4 to 5. */
  static final double SHIFT_SIGMA = 80;

  @TempDir
  static Path dir;
  static ModelRegistry models;
  static final WorkerMetrics metrics = new WorkerMetrics();

  @BeforeAll
  static void prepare() {
    ReferenceModel.prepareMonitoredBundle(dir.resolve("bundle"));
    models = new ModelRegistry(ModelCatalog.single(TrafficFixtures.MODEL, dir.resolve("bundle"),
        "tent", BATCH, 60_000), RuntimeOptions.cpu(1), true);
  }

  /** The shift-and-return run with true labels, shared: a run takes half a minute here. */
  private static Run shiftRun;

  static synchronized Run shiftRun() {
    if (shiftRun == null) {
      shiftRun = run(shiftAndReturn("site-a"));
    }
    return shiftRun;
  }

  @AfterAll
  static void close() {
    models.close();
    metrics.close();
  }

  /** What one run wrote to the output topics. */
  record Run(List<byte[]> params, List<byte[]> alerts, List<AdaptedPrediction> predictions,
      List<String> alertKeys) {

    List<NormParamsUpdate> updates() {
      return params.stream().map(RecordType.NORM_PARAMS_UPDATE.codec()::decode).toList();
    }

    List<DriftAlert> decodedAlerts() {
      return alerts.stream().map(RecordType.DRIFT_ALERT.codec()::decode).toList();
    }
  }

  static Run run(List<InferenceSample> traffic) {
    AdaptationTopology.Settings settings = new AdaptationTopology.Settings("traffic", "params",
        "memory", "predictions", "alerts", "dlq", Duration.ofMillis(100), 64 * 1024);
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "attune-drift-test");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    try (TopologyTestDriver driver = new TopologyTestDriver(AdaptationTopology.build(settings,
        models, new SignedRecordCodecs(SigningKeys.generate()), metrics), props,
        Instant.EPOCH)) {
      TestInputTopic<byte[], byte[]> in = driver.createInputTopic("traffic",
          new ByteArraySerializer(), new ByteArraySerializer());
      long t = 0;
      for (InferenceSample s : traffic) {
        in.pipeInput((s.getModel() + "/" + s.getCohort()).getBytes(StandardCharsets.UTF_8),
            RecordType.INFERENCE_SAMPLE.codec().encode(s), t++);
      }
      TestOutputTopic<byte[], byte[]> alerts = driver.createOutputTopic("alerts",
          new ByteArrayDeserializer(), new ByteArrayDeserializer());
      List<String> keys = new ArrayList<>();
      List<byte[]> alertValues = new ArrayList<>();
      alerts.readKeyValuesToList().forEach(kv -> {
        keys.add(new String(kv.key, StandardCharsets.UTF_8));
        alertValues.add(kv.value);
      });
      List<AdaptedPrediction> predictions = driver.createOutputTopic("predictions",
          new ByteArrayDeserializer(), new ByteArrayDeserializer()).readValuesToList().stream()
          .map(RecordType.ADAPTED_PREDICTION.codec()::decode).toList();
      return new Run(driver.createOutputTopic("params", new ByteArrayDeserializer(),
          new ByteArrayDeserializer()).readValuesToList(), alertValues, predictions, keys);
    }
  }

  /** Clean test images, then the next ones under heavy pixel noise, then clean ones again. */
  static List<InferenceSample> shiftAndReturn(String cohort) {
    List<InferenceSample> traffic = new ArrayList<>();
    int clean = WARMUP_BATCHES * BATCH;
    int shifted = SHIFT_BATCHES * BATCH;
    traffic.addAll(TrafficFixtures.samples(cohort, 0, clean, 0, 1));
    traffic.addAll(TrafficFixtures.samples(cohort, clean, shifted, SHIFT_SIGMA, 2));
    traffic.addAll(TrafficFixtures.samples(cohort, clean + shifted, RETURN_BATCHES * BATCH, 0,
        3));
    return traffic;
  }

  /** Each signal's lifecycle, in order: e.g. {@code data-drift: [RAISED, RESOLVED]}. */
  static Map<String, List<AlertState>> lifecycles(List<DriftAlert> alerts) {
    return alerts.stream().collect(Collectors.groupingBy(DriftAlert::getSignal,
        LinkedHashMap::new, Collectors.mapping(DriftAlert::getState, Collectors.toList())));
  }

  @Test
  void aShiftRaisesOneDataDriftAlertAndTheReturnToCleanTrafficResolvesItOnce() {
    Run run = shiftRun();
    List<DriftAlert> alerts = run.decodedAlerts();
    alerts.forEach(a -> System.out.printf("v%d %s %s: %s%n", a.getFirstBatch(), a.getState(),
        a.getSignal(), a.getSummary()));

    assertThat(lifecycles(alerts)).as("one alert for the shift, raised once, resolved once; an "
        + "i.i.d. stream never trips the guard").containsExactly(Map.entry(DriftAlerts.DATA_DRIFT,
            List.of(AlertState.RAISED, AlertState.RESOLVED)));
    assertThat(alerts.get(0).getSummary()).as("the statistics of the first layers move under "
        + "pixel noise").startsWith("data drift: ").contains("statistics divergence rose to");
    long shiftStart = WARMUP_BATCHES + 1;
    long shiftEnd = WARMUP_BATCHES + SHIFT_BATCHES;
    for (DriftAlert a : alerts) {
      assertThat(a.getModel()).isEqualTo(TrafficFixtures.MODEL);
      assertThat(a.getCohort()).isEqualTo("site-a");
      assertThat(a.getSummary()).isNotBlank();
      assertThat(a.getSourceAccuracyEstimate()).isBetween(0f, 1f);
      assertThat(a.getAdaptedAccuracyEstimate()).isBetween(0f, 1f);
      if (a.getState() == AlertState.RAISED) {
        assertThat(a.getFirstBatch()).as("raised within 3 batches of the shift's first, "
            + "version %d", shiftStart).isBetween(shiftStart, shiftStart + 2);
        assertThat(a.getScore()).isGreaterThan(a.getThreshold());
      } else {
        assertThat(a.getFirstBatch()).as("a resolution names the batch that raised it")
            .isBetween(shiftStart, shiftStart + 2);
        assertThat(a.getTime().toEpochMilli()).as("resolved after the shift ended")
            .isGreaterThanOrEqualTo(shiftEnd * BATCH);
      }
    }
    assertThat(run.alertKeys()).allSatisfy(k -> assertThat(k).isEqualTo("fmnist/site-a"));
    List<NormParamsUpdate> updates = run.updates();
    assertThat(updates).extracting(NormParamsUpdate::getVersion).containsExactlyElementsOf(
        LongStream.rangeClosed(1, WARMUP_BATCHES + SHIFT_BATCHES + RETURN_BATCHES).boxed()
            .toList());
    assertThat(updates).extracting(NormParamsUpdate::getKind).containsOnly(UpdateKind.ADAPTED);
    WorkerMetrics.LatestDrift latest = metrics.latestDrift().get("fmnist/site-a");
    assertThat(latest.openAlerts()).isEmpty();
    assertThat(latest.publishingAdapted()).isTrue();
    assertThat(metrics.scrape()).contains("attune_cohort_open_alerts{cohort=\"fmnist/site-a\"} 0.0")
        .contains("attune_alerts_total{signal=\"data-drift\",state=\"RAISED\"}")
        .contains("attune_alerts_total{signal=\"data-drift\",state=\"RESOLVED\"}");
  }

  @Test
  void aCollapsingMethodIsRevertedToTheSourceParametersAsTheNextVersion() {
    // class-sorted clean traffic: each batch holds one or two classes, and TENT's batch
    // statistics of one class make it predict that class for everything (docs/drift.md)
    List<InferenceSample> sorted = new ArrayList<>(TrafficFixtures.samples("sorted", 0,
        10 * BATCH, 0, 1));
    sorted.sort(Comparator.comparing(InferenceSample::getLabel));
    Run run = run(sorted);

    List<NormParamsUpdate> updates = run.updates();
    assertThat(updates).extracting(NormParamsUpdate::getVersion)
        .containsExactlyElementsOf(LongStream.rangeClosed(1, 10).boxed().toList());
    NormParamsUpdate revert = updates.stream().filter(u -> u.getKind() == UpdateKind.SOURCE)
        .findFirst().orElseThrow(() -> new AssertionError("no SOURCE update: "
            + updates.stream().map(NormParamsUpdate::getKind).toList()));
    assertThat(updates.get(0).getKind()).isEqualTo(UpdateKind.ADAPTED);
    assertThat(revert.getBaseVersion()).isEqualTo(revert.getVersion() - 1);
    assertSourceParameters(revert);
    List<DriftAlert> guard = run.decodedAlerts().stream()
        .filter(a -> a.getSignal().equals(DriftAlerts.ACCURACY_GUARD)).toList();
    assertThat(guard).isNotEmpty();
    assertThat(guard.get(0).getState()).isEqualTo(AlertState.RAISED);
    assertThat(guard.get(0).getFirstBatch()).as("raised by the batch that published the revert")
        .isEqualTo(revert.getVersion());
    assertThat(guard.get(0).getSummary()).contains("publishing the source parameters");
    for (NormParamsUpdate u : updates) {
      boolean open = guardOpenAfter(guard, u.getVersion());
      assertThat(u.getKind()).as("version %d", u.getVersion())
          .isEqualTo(open ? UpdateKind.SOURCE : UpdateKind.ADAPTED);
    }
    assertThat(run.predictions()).as("the predictions topic carries the adapted model's")
        .hasSize(10 * BATCH).allSatisfy(p -> assertThat(p.getParamsVersion()).isPositive());
  }

  @Test
  void scramblingTheLabelsChangesNoAlertAndNoPublishedParameter() {
    List<InferenceSample> traffic = shiftAndReturn("site-a");
    List<Integer> shuffled = new ArrayList<>(traffic.stream().map(InferenceSample::getLabel)
        .toList());
    Collections.shuffle(shuffled, new Random(5));
    List<InferenceSample> scrambled = new ArrayList<>();
    for (int i = 0; i < traffic.size(); i++) {
      scrambled.add(InferenceSample.newBuilder(traffic.get(i))
          .setLabel(i % 3 == 0 ? null : shuffled.get(i)).build());
    }
    Run withLabels = shiftRun();
    Run withScrambledLabels = run(scrambled);

    assertThat(withLabels.alerts()).isNotEmpty();
    assertThat(withScrambledLabels.alerts()).usingRecursiveFieldByFieldElementComparator()
        .isEqualTo(withLabels.alerts());
    assertThat(withScrambledLabels.updates()).extracting(NormParamsUpdate::getLayers)
        .isEqualTo(withLabels.updates().stream().map(NormParamsUpdate::getLayers).toList());
  }

  /** Whether the guard's alert is open after the step that published {@code version}. */
  static boolean guardOpenAfter(List<DriftAlert> guard, long version) {
    boolean open = false;
    for (DriftAlert a : guard) {
      long at = a.getState() == AlertState.RAISED ? a.getFirstBatch() : resolvedAt(a);
      if (at <= version) {
        open = a.getState() == AlertState.RAISED;
      }
    }
    return open;
  }

  /** The version whose step resolved an alert: its stream time is that batch's last sample. */
  static long resolvedAt(DriftAlert a) {
    return a.getTime().toEpochMilli() / BATCH + 1;
  }

  static void assertSourceParameters(NormParamsUpdate update) {
    BundleManifest manifest = models.bundle(TrafficFixtures.MODEL).orElseThrow().manifest();
    Map<String, float[]> source = models.bundle(TrafficFixtures.MODEL).orElseThrow()
        .sourceParameters();
    for (int i = 0; i < manifest.layers().size(); i++) {
      BundleManifest.Layer layer = manifest.layers().get(i);
      LayerParams p = update.getLayers().get(i);
      assertThat(p.getScale()).isEqualTo(CohortStepper.vector(source.get(layer.scale())));
      assertThat(p.getBias()).isEqualTo(CohortStepper.vector(source.get(layer.bias())));
      assertThat(p.getMean()).isEqualTo(CohortStepper.vector(source.get(layer.mean())));
      assertThat(p.getVar()).isEqualTo(CohortStepper.vector(source.get(layer.var())));
    }
  }
}
