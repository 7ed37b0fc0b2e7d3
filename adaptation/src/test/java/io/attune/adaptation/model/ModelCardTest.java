package io.attune.adaptation.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelCardTest {

  private static final String VALID = """
      {"name": "m", "inputName": "input", "outputName": "logits", "inputShape": [1, 2, 2],
       "mean": [0.5], "std": [0.25], "pixelScale": 255.0, "classNames": ["a", "b"],
       "cleanTestAccuracy": 0.9, "somethingNew": true}
      """;

  @Test
  void readsAValidCardAndIgnoresUnknownKeys(@TempDir Path dir) throws Exception {
    ModelCard card = ModelCard.read(Files.writeString(dir.resolve("model.json"), VALID));

    assertThat(card.sampleSize()).isEqualTo(4);
    assertThat(card.numClasses()).isEqualTo(2);
    assertThat(card.reportedAccuracy()).hasValue(0.9);
  }

  @Test
  void preprocessingScalesThenNormalizesPerChannel(@TempDir Path dir) throws Exception {
    ModelCard card = ModelCard.read(Files.writeString(dir.resolve("model.json"), VALID));

    float[] x = card.preprocess(new byte[] {0, (byte) 255, (byte) 128, 64}, 1);

    assertThat(x).containsExactly((0f - 0.5f) / 0.25f, (1f - 0.5f) / 0.25f,
        (128f / 255f - 0.5f) / 0.25f, (64f / 255f - 0.5f) / 0.25f);
  }

  @Test
  void reportsEveryProblemOfACardAtOnceNamingTheFile(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("model.json"), """
        {"name": "m", "inputShape": [1, 0], "mean": [0.5, 0.1], "std": [0],
         "pixelScale": 255, "classNames": ["only"]}
        """);

    assertThatThrownBy(() -> ModelCard.read(file))
        .isInstanceOf(InvalidModelException.class)
        .hasMessageStartingWith(file.toString())
        .hasMessageContaining("inputName is missing")
        .hasMessageContaining("outputName is missing")
        .hasMessageContaining("inputShape must be [channels, height, width]")
        .hasMessageContaining("std must be positive")
        .hasMessageContaining("classNames must name at least 2 classes");
  }

  @Test
  void rejectsMalformedJsonWithTheFileName(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("model.json"), "{\"name\": ");

    assertThatThrownBy(() -> ModelCard.read(file))
        .isInstanceOf(InvalidModelException.class)
        .hasMessageStartingWith(file + ": not a valid model description");
  }

  @Test
  void rejectsAMissingFile(@TempDir Path dir) {
    assertThatThrownBy(() -> ModelCard.read(dir.resolve("absent.json")))
        .hasMessageEndingWith("absent.json: no such model description");
  }
}
