package io.attune.adaptation.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.attune.adaptation.RepoRoot;
import io.attune.adaptation.model.InvalidModelException;
import io.attune.adaptation.model.ModelCard;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OnnxClassifierTest {

  private static final Path MODEL_DIR = RepoRoot.find().resolve("models/fmnist-resnet");

  private static ModelCard card() {
    return ModelCard.read(MODEL_DIR.resolve("model.json"));
  }

  private static float[] randomInput(int samples, int sampleSize) {
    Random random = new Random(7);
    float[] x = new float[samples * sampleSize];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) random.nextGaussian();
    }
    return x;
  }

  @Test
  void logitsOfABatchEqualTheLogitsOfItsSamplesOneByOne() {
    ModelCard card = card();
    float[] input = randomInput(5, card.sampleSize());
    try (OnnxClassifier classifier = OnnxClassifier.open(MODEL_DIR.resolve("model.onnx"), card, 1)) {
      float[] batch = classifier.logits(input, 5);
      for (int i = 0; i < 5; i++) {
        float[] one = new float[card.sampleSize()];
        System.arraycopy(input, i * card.sampleSize(), one, 0, one.length);
        float[] single = classifier.logits(one, 1);
        for (int c = 0; c < card.numClasses(); c++) {
          assertThat(single[c]).isCloseTo(batch[i * card.numClasses() + c],
              org.assertj.core.api.Assertions.within(1e-4f));
        }
      }
    }
  }

  @Test
  void withOneThreadTheSameInputGivesBitIdenticalLogits() {
    ModelCard card = card();
    float[] input = randomInput(64, card.sampleSize());
    try (OnnxClassifier classifier = OnnxClassifier.open(MODEL_DIR.resolve("model.onnx"), card, 1)) {
      assertThat(classifier.logits(input, 64)).containsExactly(classifier.logits(input, 64));
    }
  }

  @Test
  void refusesACardWhoseInputNameTheModelDoesNotHave() {
    ModelCard wrong = new ModelCard("m", "pixels", "logits", card().inputShape(), card().mean(),
        card().std(), 255f, card().classNames(), null);

    assertThatThrownBy(() -> OnnxClassifier.open(MODEL_DIR.resolve("model.onnx"), wrong, 1))
        .isInstanceOf(InvalidModelException.class)
        .hasMessageContaining("has no input 'pixels'")
        .hasMessageContaining("input");
  }

  @Test
  void refusesACardWhoseShapeDiffersFromTheModel() {
    ModelCard wrong = new ModelCard("m", "input", "logits", java.util.List.of(3, 28, 28),
        java.util.List.of(0.5f), java.util.List.of(0.5f), 255f, card().classNames(), null);

    assertThatThrownBy(() -> OnnxClassifier.open(MODEL_DIR.resolve("model.onnx"), wrong, 1))
        .isInstanceOf(InvalidModelException.class)
        .hasMessageContaining("but the model description says [3, 28, 28]");
  }

  @Test
  void refusesAFileThatIsNotOnnx(@TempDir Path dir) throws Exception {
    Path garbage = Files.writeString(dir.resolve("garbage.onnx"), "not a model");

    assertThatThrownBy(() -> OnnxClassifier.open(garbage, card(), 1))
        .isInstanceOf(InvalidModelException.class)
        .hasMessageStartingWith(garbage + ": ONNX Runtime cannot load it");
  }
}
