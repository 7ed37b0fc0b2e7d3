package io.attune.topology.adapt;

import static org.assertj.core.api.Assertions.assertThat;

import io.attune.adaptation.ReferenceModel;
import io.attune.adaptation.bundle.ModelBundle;
import io.attune.adaptation.method.Norm;
import io.attune.adaptation.runtime.RuntimeOptions;
import io.attune.topology.ModelCatalog;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ModelRegistryTest {

  private static final ModelBundle BUNDLE = ReferenceModel.sharedBundle();

  private static ModelCatalog catalog(ModelCatalog.Adaptation defaults,
      Map<String, ModelCatalog.Adaptation> cohorts) {
    return new ModelCatalog(Map.of("m", new ModelCatalog.Model("m", BUNDLE.dir(), defaults,
        cohorts)));
  }

  @Test
  void aCatalogWhoseMethodsAllBuildValidatesClean() {
    try (ModelRegistry registry = new ModelRegistry(catalog(
        new ModelCatalog.Adaptation("tent", 64, 1000, Map.of("optimizer.lr", "0.0005")),
        Map.of("night", new ModelCatalog.Adaptation("norm", 64, 1000, Map.of("alpha", "0.3")))),
        RuntimeOptions.cpu(1), false)) {
      assertThat(registry.validate()).isEmpty();
    }
  }

  @Test
  void everyBadHyperparameterIsNamedWithItsModelAndCohort() {
    try (ModelRegistry registry = new ModelRegistry(catalog(
        new ModelCatalog.Adaptation("tent", 64, 1000, Map.of("optimiser.lr", "0.1")),
        Map.of("night", new ModelCatalog.Adaptation("norm", 64, 1000, Map.of("alpha", "2")))),
        RuntimeOptions.cpu(1), false)) {
      assertThat(registry.validate()).containsExactlyInAnyOrder(
          "model 'm': unknown hyperparameter optimiser.lr for method tent; it has: "
              + "optimizer.beta1, optimizer.beta2, optimizer.eps, optimizer.lr, "
              + "optimizer.weightDecay, statsMomentum",
          "model 'm', cohort 'night': norm alpha must be in [0, 1], got 2.0");
    }
  }

  @Test
  void aCohortsHyperparametersReachItsMethod() {
    try (ModelRegistry registry = new ModelRegistry(catalog(
        new ModelCatalog.Adaptation("norm", 64, 1000, Map.of("alpha", "0.25")), Map.of()),
        RuntimeOptions.cpu(1), false)) {
      Norm norm = (Norm) registry.method("m", new ModelCatalog.Adaptation("norm", 64, 1000,
          Map.of("alpha", "0.25")));
      Norm plain = (Norm) registry.method("m", "norm");

      assertThat(norm.config().alpha()).isEqualTo(0.25f);
      assertThat(plain.config().alpha()).isEqualTo(Norm.Config.testTimeBatchNorm().alpha());
    }
  }
}
