package io.attune.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelCatalogTest {

  @TempDir
  Path dir;

  @Test
  void cohortOverridesFallBackToTheModelsDefaults() throws Exception {
    Files.createDirectories(dir.resolve("bundles/m"));
    Path file = dir.resolve("catalog.json");
    Files.writeString(file, """
        {"models": {"m": {"bundle": "bundles/m", "method": "tent", "batchSize": 32,
          "cohorts": {"night": {"method": "norm"}}}}}
        """);
    ModelCatalog catalog = ModelCatalog.load(file, List.of("tent", "norm"));
    ModelCatalog.Model m = catalog.model("m").orElseThrow();
    assertThat(m.bundle()).isEqualTo(dir.resolve("bundles/m"));
    assertThat(m.adaptationOf("day")).isEqualTo(new ModelCatalog.Adaptation("tent", 32, 10_000));
    assertThat(m.adaptationOf("night")).isEqualTo(new ModelCatalog.Adaptation("norm", 32,
        10_000));
  }

  @Test
  void everyProblemOfACatalogIsReportedAtOnce() throws Exception {
    Path file = dir.resolve("catalog.json");
    Files.writeString(file, """
        {"models": {"bad/id": {"bundle": "nowhere", "method": "magic", "batchSize": 0}}}
        """);
    assertThatThrownBy(() -> ModelCatalog.load(file, List.of("tent")))
        .isInstanceOf(ModelCatalog.CatalogException.class)
        .hasMessageContaining("bad/id").hasMessageContaining("nowhere")
        .hasMessageContaining("unknown method 'magic'").hasMessageContaining("batchSize");
  }

  @Test
  void malformedJsonAndUnknownKeysAreOneLineErrorsNamingTheFile() throws Exception {
    Path file = dir.resolve("catalog.json");
    Files.writeString(file, "{\"models\": {\"m\": {\"bundel\": \"x\"}}}");
    assertThatThrownBy(() -> ModelCatalog.load(file, List.of("tent")))
        .hasMessageStartingWith(file.toString()).hasMessageContaining("bundel");
  }

  @Test
  void hyperparametersAreInheritedByCohortsOfTheSameMethodOnly() throws Exception {
    Files.createDirectories(dir.resolve("bundles/m"));
    Path file = dir.resolve("catalog.json");
    Files.writeString(file, """
        {"models": {"m": {"bundle": "bundles/m", "method": "tent",
          "hyperparameters": {"optimizer.lr": 0.0005, "statsMomentum": "0.2"},
          "cohorts": {"night": {"hyperparameters": {"optimizer.lr": 0.001}},
                      "frozen": {"method": "sar", "hyperparameters": {"frozenModules": ["a", "b"]}}}}}}
        """);
    ModelCatalog.Model m = ModelCatalog.load(file, List.of("tent", "sar")).model("m")
        .orElseThrow();

    assertThat(m.adaptationOf("day").hyperparameters())
        .isEqualTo(Map.of("optimizer.lr", "5.0E-4", "statsMomentum", "0.2"));
    assertThat(m.adaptationOf("night").hyperparameters())
        .isEqualTo(Map.of("optimizer.lr", "0.001", "statsMomentum", "0.2"));
    assertThat(m.adaptationOf("frozen").hyperparameters())
        .isEqualTo(Map.of("frozenModules", "a,b"));
  }

  @Test
  void aHyperparameterThatIsAnObjectIsAProblem() throws Exception {
    Files.createDirectories(dir.resolve("bundles/m"));
    Path file = dir.resolve("catalog.json");
    Files.writeString(file, """
        {"models": {"m": {"bundle": "bundles/m", "method": "tent",
          "hyperparameters": {"optimizer": {"lr": 0.1}}}}}
        """);
    assertThatThrownBy(() -> ModelCatalog.load(file, List.of("tent")))
        .hasMessageContaining("hyperparameter 'optimizer' must be a number");
  }
}
