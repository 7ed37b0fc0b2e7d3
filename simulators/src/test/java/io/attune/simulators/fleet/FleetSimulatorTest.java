package io.attune.simulators.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import io.attune.adaptation.ReferenceModel;
import io.attune.adaptation.bundle.ModelBundle;
import io.attune.edge.EdgeModel;
import io.attune.edge.UploadFilter;
import io.attune.schemas.signing.SigningKeys;
import io.attune.simulators.FashionMnist;
import io.attune.simulators.schedule.Schedule;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FleetSimulatorTest {

  private static final ModelBundle BUNDLE = ReferenceModel.sharedBundle();
  private static final KeyPair KEYS = SigningKeys.generate();
  private static final int SAMPLES = 1000;

  private static FleetConfig config(List<CohortPlan> cohorts, int devices, long samples) {
    return new FleetConfig("fmnist", cohorts, devices, 16, samples, 400, 42,
        UploadFilter.Config.cema(10, UploadFilter.Budget.unlimited()), Duration.ZERO);
  }

  @Test
  void adaptedDevicesBeatTheirFrozenTwinOnSevereNoise() throws Exception {
    List<CohortPlan> cohorts = List.of(
        new CohortPlan("noisy", Schedule.parse("gaussian_noise:5")),
        new CohortPlan("foggy", Schedule.parse("fog:5")));
    List<TimelinePoint> live = new ArrayList<>();
    FleetResult result;
    try (DirectDelivery delivery = new DirectDelivery();
        InProcessWorker worker = new InProcessWorker(BUNDLE, "norm", 64, KEYS, delivery);
        FleetSimulator fleet = FleetSimulator.create(BUNDLE, config(cohorts, 4, SAMPLES),
            FashionMnist.test(), KEYS.getPublic(), delivery, worker)) {
      result = fleet.run(live::addAll);
      for (EdgeModel device : fleet.deviceModels()) {
        assertThat(device.stats().rejectedTotal()).isZero();
        assertThat(device.stats().applied()).isPositive();
      }
    }

    result.timeline().stream().filter(p -> p.tick() % 16 == 0)
        .forEach(p -> System.out.println(TimelineFormat.line(p)));
    result.cohorts().values().forEach(System.out::println);
    CohortSummary noisy = result.cohorts().get("noisy");
    assertThat(noisy.samples()).isEqualTo(2 * SAMPLES);
    assertThat(noisy.finalVersion()).isPositive();
    assertThat(noisy.adaptedAccuracy()).isGreaterThan(noisy.sourceAccuracy() + 0.05);
    TimelinePoint last = result.timeline().get(result.timeline().size() - 2);
    assertThat(last.cohort()).isEqualTo("noisy");
    assertThat(last.adaptedAccuracy()).isGreaterThan(last.sourceAccuracy() + 0.05);
    // CEMA's filter keeps well under all samples off the uplink, and adaptation still works
    assertThat(noisy.uploads().uploadShare()).isLessThan(0.7);
    assertThat(noisy.uploads().unreliable()).isPositive();
    assertThat(noisy.uploads().lowInformative()).isPositive();
    CohortSummary foggy = result.cohorts().get("foggy");
    assertThat(foggy.adaptedAccuracy()).isGreaterThan(foggy.sourceAccuracy() + 0.05);
    assertThat(live).isEqualTo(result.timeline());
  }
}
