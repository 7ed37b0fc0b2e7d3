package io.attune.simulators.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.attune.adaptation.ReferenceModel;
import io.attune.adaptation.bundle.ModelBundle;
import io.attune.edge.UploadFilter;
import io.attune.schemas.signing.SigningKeys;
import io.attune.simulators.FashionMnist;
import io.attune.simulators.schedule.Schedule;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FleetBehaviourTest {

  private static final ModelBundle BUNDLE = ReferenceModel.sharedBundle();
  private static final KeyPair KEYS = SigningKeys.generate();
  private static final List<CohortPlan> TWO = List.of(
      new CohortPlan("noisy", Schedule.parse("gaussian_noise:5")),
      new CohortPlan("dark", Schedule.parse("contrast:5")));

  private static FleetConfig config(int devices, long samples, UploadFilter.Budget budget) {
    return new FleetConfig("fmnist", TWO, devices, 16, samples, 100, 7,
        UploadFilter.Config.cema(10, budget), Duration.ZERO);
  }

  /** Records uploads and adapts nothing. */
  private static final class Recording implements Uplink {
    final List<UploadedSample> uploaded = new ArrayList<>();

    @Override
    public void upload(UploadedSample sample) {
      uploaded.add(sample);
    }
  }

  private static FleetResult run(FleetConfig config, Uplink uplink) throws Exception {
    try (DirectDelivery delivery = new DirectDelivery();
        FleetSimulator fleet = FleetSimulator.create(BUNDLE, config, FashionMnist.test(),
            KEYS.getPublic(), delivery, uplink)) {
      return fleet.run(points -> { });
    }
  }

  @Test
  void withoutUpdatesEveryDevicePredictsLikeItsFrozenTwin() throws Exception {
    FleetResult result = run(config(2, 96, UploadFilter.Budget.unlimited()), new Recording());

    for (CohortSummary c : result.cohorts().values()) {
      assertThat(c.adaptedAccuracy()).isEqualTo(c.sourceAccuracy());
      assertThat(c.finalVersion()).isZero();
    }
  }

  @Test
  void theTimelineHasAPointPerCohortPerTickAndCountsEverySample() throws Exception {
    FleetResult result = run(config(4, 100, UploadFilter.Budget.unlimited()), new Recording());

    // 100 samples in ticks of 16: 7 ticks, the last of 4 samples
    assertThat(result.timeline()).hasSize(2 * 7);
    assertThat(result.timeline().stream().map(TimelinePoint::cohort).distinct())
        .containsExactly("noisy", "dark");
    TimelinePoint last = result.timeline().get(result.timeline().size() - 1);
    assertThat(last.tick()).isEqualTo(7);
    assertThat(last.samplesSeen()).isEqualTo(200);
    assertThat(last.uploads().seen()).isEqualTo(200);
  }

  @Test
  void uploadsCarryTheDeviceCohortAndAUniqueSampleIdAndRespectTheBudget() throws Exception {
    Recording uplink = new Recording();
    FleetResult result = run(config(2, 200, new UploadFilter.Budget(5, 50)), uplink);

    assertThat(uplink.uploaded).isNotEmpty().allSatisfy(s -> {
      assertThat(s.model()).isEqualTo("fmnist");
      assertThat(s.device()).startsWith(s.cohort() + "-d");
      assertThat(s.pixels()).hasSize(784);
    });
    assertThat(uplink.uploaded.stream().map(UploadedSample::sampleId).distinct())
        .hasSize(uplink.uploaded.size());
    for (CohortSummary c : result.cohorts().values()) {
      assertThat(c.uploads().uploaded()).isLessThanOrEqualTo(4 * 5);
      assertThat(c.uploads().seen()).isEqualTo(200);
    }
  }

  @Test
  void theSameSeedReplaysTheSameFleet() throws Exception {
    KeyPair keys = KEYS;
    List<FleetResult> runs = new ArrayList<>();
    for (int r = 0; r < 2; r++) {
      try (DirectDelivery delivery = new DirectDelivery();
          InProcessWorker worker = new InProcessWorker(BUNDLE, "norm", 16, keys, delivery);
          FleetSimulator fleet = FleetSimulator.create(BUNDLE,
              config(2, 160, UploadFilter.Budget.unlimited()), FashionMnist.test(),
              keys.getPublic(), delivery, worker)) {
        runs.add(fleet.run(points -> { }));
      }
    }

    assertThat(runs.get(1)).isEqualTo(runs.get(0));
    assertThat(runs.get(0).cohorts().get("noisy").finalVersion()).isPositive();
  }

  @Test
  void aBadFleetIsRefusedNamingEveryProblem() {
    assertThatThrownBy(() -> new FleetConfig("fmnist", TWO, 1, 0, 0, 0, 1,
        UploadFilter.Config.cema(10, UploadFilter.Budget.unlimited()), Duration.ofMillis(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("devices (1) must be at least the number of cohorts (2)")
        .hasMessageContaining("samplesPerTick").hasMessageContaining("samplesPerDevice")
        .hasMessageContaining("accuracyWindow").hasMessageContaining("tickPause");
    assertThatThrownBy(() -> new CohortPlan("a/b", Schedule.parse("clean")))
        .hasMessageContaining("'/'");
  }

  @Test
  void aTimelineLineShowsAccuraciesGainVersionsAndUploadShare() {
    TimelinePoint p = new TimelinePoint(12, "noisy", "gaussian_noise:5", 3840, 0.512, 0.684, 0.5,
        0.6, 15, 17, new UploadFilter.Counts(40, 30, 20, 10), 0);

    assertThat(TimelineFormat.line(p)).contains("12", "noisy", "gaussian_noise:5", "3840",
        "51.2%", "68.4%", "+17.2", "15-17", "40.0%");
    assertThat(TimelineFormat.csv(p))
        .isEqualTo("12,noisy,\"gaussian_noise:5\",3840,0.5120,0.6840,15,17,40,30,20,10");
    assertThat(TimelineFormat.CSV_HEADER.split(",")).hasSize(12);
  }
}
