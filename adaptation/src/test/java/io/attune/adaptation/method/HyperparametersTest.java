package io.attune.adaptation.method;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.attune.adaptation.method.optim.Adam;
import io.attune.adaptation.method.optim.Sgd;
import io.attune.adaptation.method.safety.CollapseGuard;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HyperparametersTest {

  @Test
  void overridesRebuildTheConfigWithNestedOptimizerNamesAndLeaveTheRestAtDefaults() {
    Hyperparameters h = Hyperparameters.of(Map.of("optimizer.lr", "0.0005",
        "statsMomentum", "0.2"));

    Tent.Config config = h.apply(Tent.Config.defaults());

    Adam adam = (Adam) config.optimizer();
    Adam defaults = (Adam) Tent.Config.defaults().optimizer();
    assertThat(adam.lr()).isEqualTo(0.0005f);
    assertThat(adam.beta1()).isEqualTo(defaults.beta1());
    assertThat(config.statsMomentum()).isEqualTo(0.2f);
    h.requireAllUsed("tent");
  }

  @Test
  void withoutOverridesTheDefaultsComeBackUnchanged() {
    Eata.Config defaults = Eata.Config.defaults(10);

    assertThat(Hyperparameters.none().apply(defaults)).isSameAs(defaults);
  }

  @Test
  void prefixedNamesReachTheOuterPartOfAComposedMethod() {
    Hyperparameters h = Hyperparameters.of(Map.of("guard.window", "4",
        "optimizer.momentum", "0.5"));

    CollapseGuard.Config guard = h.apply("guard", CollapseGuard.Config.defaults(10));
    Sar.Config sar = h.apply(Sar.Config.defaults(10));

    assertThat(guard.window()).isEqualTo(4);
    assertThat(((Sgd) sar.optimizer()).momentum()).isEqualTo(0.5f);
    h.requireAllUsed("sar+guard");
  }

  @Test
  void listsAreCommaSeparated() {
    Sar.Config sar = Hyperparameters.of(Map.of("frozenModules", "stage3, head"))
        .apply(Sar.Config.defaults(10));

    assertThat(sar.frozenModules()).containsExactly("stage3", "head");
  }

  @Test
  void anUnknownNameIsRefusedWithTheNamesTheMethodHas() {
    Hyperparameters h = Hyperparameters.of(Map.of("optimiser.lr", "0.1"));
    h.apply(Tent.Config.defaults());

    assertThatThrownBy(() -> h.requireAllUsed("tent"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unknown hyperparameter optimiser.lr for method tent")
        .hasMessageContaining("optimizer.lr").hasMessageContaining("statsMomentum");
  }

  @Test
  void aValueThatDoesNotParseNamesTheHyperparameter() {
    assertThatThrownBy(() -> Hyperparameters.of(Map.of("optimizer.lr", "fast"))
        .apply(Tent.Config.defaults()))
        .hasMessage("hyperparameter optimizer.lr: 'fast' is not a float number");
    assertThatThrownBy(() -> Hyperparameters.of(Map.of("optimizer.lr", "NaN"))
        .apply(Tent.Config.defaults()))
        .hasMessageContaining("must be finite");
  }

  @Test
  void theConfigsOwnValidationJudgesTheOverriddenValue() {
    assertThatThrownBy(() -> Hyperparameters.of(Map.of("statsMomentum", "1.5"))
        .apply(Tent.Config.defaults()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("statsMomentum must be in (0, 1]");
  }

  @Test
  void describeListsEveryNameWithItsDefault() {
    Map<String, String> names = Hyperparameters.describe("guard",
        CollapseGuard.Config.defaults(10));

    assertThat(names.keySet()).containsExactly("guard.window", "guard.entropyFloor",
        "guard.diversityFloor");
    assertThat(Hyperparameters.describe("", Sar.Config.defaults(10)).keySet())
        .contains("optimizer.lr", "entropyMargin", "rho", "frozenModules");
    assertThat(List.copyOf(names.values())).doesNotContainNull();
  }
}
