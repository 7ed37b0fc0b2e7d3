package io.attune.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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
}
