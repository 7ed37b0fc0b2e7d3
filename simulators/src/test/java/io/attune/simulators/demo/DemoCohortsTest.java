package io.attune.simulators.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.attune.simulators.fleet.CohortPlan;
import io.attune.simulators.schedule.Schedule;
import java.util.List;
import org.junit.jupiter.api.Test;

class DemoCohortsTest {

  @Test
  void theDefaultCohortsAreNamedAfterTheirShifts() {
    assertThat(DemoCohorts.defaults(3)).extracting(CohortPlan::name)
        .containsExactly("gaussian_noise-5", "fog-5", "defocus_blur-5");
    assertThat(DemoCohorts.defaults(3)).extracting(p -> p.schedule().spec())
        .containsExactly("gaussian_noise:5", "fog:5", "defocus_blur:5");
  }

  @Test
  void onlyAsManyDefaultCohortsAsThereAreDefaultShifts() {
    assertThat(DemoCohorts.defaults(DemoCohorts.DEFAULT_SHIFTS.size())).hasSize(6);
    assertThatThrownBy(() -> DemoCohorts.defaults(7)).hasMessageContaining("1 to 6")
        .hasMessageContaining("7");
    assertThatThrownBy(() -> DemoCohorts.defaults(0)).hasMessageContaining("0");
  }

  @Test
  void repeatedShiftsGetNumberedNamesThatFitARecordKey() {
    Schedule fog = Schedule.parse("fog:5");
    Schedule continual = Schedule.parse("continual:fog:5,contrast:5");

    assertThat(DemoCohorts.of(List.of(fog, fog, continual, fog))).extracting(CohortPlan::name)
        .containsExactly("fog-5", "fog-5-2", "continual-fog-5-contrast-5", "fog-5-3");
  }

  @Test
  void namesKeepOnlyKeyCharactersAndStayShort() {
    assertThat(DemoCohorts.nameOf("{\"kind\": \"single\"}")).isEqualTo("kind-single");
    assertThat(DemoCohorts.nameOf("::")).isEqualTo("cohort");
    assertThat(DemoCohorts.nameOf("a".repeat(100))).hasSize(40);
  }
}
