package io.attune.adaptation.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.attune.adaptation.RepoRoot;
import io.attune.adaptation.data.LabeledReader;
import io.attune.adaptation.model.ModelCard;
import io.attune.adaptation.runtime.OnnxClassifier;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The shipped reference model, run by ONNX Runtime from Java on the shipped test split, is the
 * model that was trained: same accuracy as PyTorch measured (model.json), for both exports.
 */
class ReferenceModelAccuracyTest {

  private static final Path MODEL_DIR = RepoRoot.find().resolve("models/fmnist-resnet");
  private static final Path DATA_DIR = RepoRoot.find().resolve("data/fashion-mnist");

  @ParameterizedTest
  @ValueSource(strings = {"model.onnx", "model-folded.onnx"})
  void reachesTheCleanAccuracyMeasuredAtTrainingTime(String onnxFile) throws Exception {
    ModelCard card = ModelCard.read(MODEL_DIR.resolve("model.json"));
    ConfusionMatrix confusion;
    try (OnnxClassifier classifier = OnnxClassifier.open(MODEL_DIR.resolve(onnxFile), card, 0);
        LabeledReader data = LabeledReader.open(DATA_DIR.resolve("t10k-images-idx3-ubyte.gz"),
            DATA_DIR.resolve("t10k-labels-idx1-ubyte.gz"))) {
      confusion = SourceEvaluation.run(classifier, data, 500, seen -> { });
    }

    assertThat(confusion.total()).isEqualTo(10_000);
    assertThat(confusion.accuracy()).isGreaterThanOrEqualTo(0.91);
    assertThat(confusion.accuracy())
        .isCloseTo(card.reportedAccuracy().orElseThrow(), within(0.002));
  }
}
