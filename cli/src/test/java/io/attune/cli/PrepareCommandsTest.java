package io.attune.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.attune.adaptation.data.ArrayReader;
import io.attune.adaptation.data.FloatData;
import io.attune.adaptation.data.NpyWriter;
import io.attune.adaptation.data.Shape;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** prepare, inspect, gradients and bench on the shipped reference model, as a user runs them. */
class PrepareCommandsTest {

  private static final Path MODELS = Path.of(System.getProperty("attune.root", "..")).resolve(
      "models/fmnist-resnet");

  @TempDir
  static Path dir;

  private static Path bundle;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    return Attune.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
  }

  @BeforeAll
  static void prepareReferenceBundle() {
    bundle = dir.resolve("bundle");
    int code = Attune.run(new String[] {"prepare", MODELS.resolve("model.onnx").toString(),
        "--source-memory", MODELS.resolve("source-memory/features.npy").toString(),
        MODELS.resolve("source-memory/labels.npy").toString(), "--out", bundle.toString()},
        new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()));
    assertThat(code).isZero();
  }

  @Test
  void inspectListsTheNineLayersOfTheReferenceModel() {
    assertThat(run("inspect", bundle.toString())).isZero();
    assertThat(out.toString())
        .contains("9 normalization layers, 1344 parameters")
        .contains("stage3.shortcut_bn.weight")
        .contains("2000 source samples");
  }

  @Test
  void gradientsWritesOneFilePerScaleAndBiasNamedAfterTheInitializer() throws Exception {
    Path images = dir.resolve("x.npy");
    Random random = new Random(1);
    float[] x = new float[4 * 28 * 28];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) random.nextGaussian();
    }
    NpyWriter.write(images, new FloatData(Shape.of(4, 1, 28, 28), x));
    Path grads = dir.resolve("grads");

    assertThat(run("gradients", "--bundle", bundle.toString(), "--images", images.toString(),
        "--out", grads.toString())).isZero();

    assertThat(grads.resolve("stem_bn.weight.npy")).exists();
    assertThat(grads.resolve("stage3.shortcut_bn.bias.npy")).exists();
    assertThat(ArrayReader.loadFloats(grads.resolve("logits.npy")).shape())
        .isEqualTo(Shape.of(4, 10));
    assertThat(ArrayReader.loadFloats(grads.resolve("stage2.bn1.weight.npy")).data())
        .hasSize(64).matches(g -> java.util.stream.IntStream.range(0, g.length)
            .anyMatch(i -> g[i] != 0f), "has a non-zero gradient");
    assertThat(Files.readString(grads.resolve("loss.txt")).strip()).isNotEmpty();
  }

  @Test
  void gradientsRefusesImagesOfTheWrongShapeInOneLine() throws Exception {
    Path images = dir.resolve("wrong.npy");
    NpyWriter.write(images, new FloatData(Shape.of(2, 3, 8, 8), new float[2 * 3 * 64]));

    assertThat(run("gradients", "--bundle", bundle.toString(), "--images", images.toString(),
        "--out", dir.resolve("g2").toString())).isEqualTo(1);
    assertThat(err.toString().strip().lines()).hasSize(1);
    assertThat(err.toString()).contains("do not fit the model's input");
  }

  @Test
  void gradientsOfAFixedBatchModelRefusesAnotherNumberOfImagesInOneLine() throws Exception {
    var model = io.attune.adaptation.onnx.OnnxModels.read(MODELS.resolve("model.onnx"));
    var graph = model.getGraph().toBuilder();
    var input = graph.getInput(0).toBuilder();
    input.getTypeBuilder().getTensorTypeBuilder().getShapeBuilder().getDimBuilder(0).clear()
        .setDimValue(4);
    graph.setInput(0, input);
    Path fixed = dir.resolve("fixed.onnx");
    io.attune.adaptation.onnx.OnnxModels.write(model.toBuilder().setGraph(graph).build(), fixed);
    assertThat(run("prepare", fixed.toString(), "--out", dir.resolve("fixed").toString()))
        .isZero();
    Path images = dir.resolve("six.npy");
    NpyWriter.write(images, new FloatData(Shape.of(6, 1, 28, 28), new float[6 * 784]));

    assertThat(run("gradients", "--bundle", dir.resolve("fixed").toString(), "--images",
        images.toString(), "--out", dir.resolve("g3").toString())).isEqualTo(1);
    assertThat(err.toString().strip().lines()).hasSize(1);
    assertThat(err.toString()).contains("6 images, but the model was exported with a fixed "
        + "batch of 4; give exactly 4");
  }

  @Test
  void prepareRefusesAFoldedModelWithoutCalibrationImagesInOneLine() {
    assertThat(run("prepare", MODELS.resolve("model-folded.onnx").toString(), "--out",
        dir.resolve("folded").toString())).isEqualTo(1);
    assertThat(err.toString().strip().lines()).hasSize(1);
    assertThat(err.toString()).contains("has no BatchNormalization layer")
        .contains("--calibration");
  }

  @Test
  void inspectOfADirectoryThatIsNoBundleSaysSo() {
    assertThat(run("inspect", dir.toString())).isEqualTo(1);
    assertThat(err.toString()).contains("not a model bundle");
  }

  @Test
  void benchPrintsTheRatioOfAStepToAnInference() {
    assertThat(run("bench", "--bundle", bundle.toString(), "--batch", "8", "--warmup", "1",
        "--iterations", "3", "--threads", "1")).isZero();
    assertThat(out.toString()).contains("ratio step / inference");
  }

  @Test
  void benchWithProfileSaysWhereEachGraphSpendsItsTime() {
    Path profiles = dir.resolve("profiles");

    assertThat(run("bench", "--bundle", bundle.toString(), "--batch", "8", "--warmup", "1",
        "--iterations", "2", "--threads", "1", "--profile", profiles.toString())).isZero();

    assertThat(out.toString()).contains("profile of edge: 48 nodes", "profile of adapt-forward:",
        "profile of adapt-backward:", "HardSigmoid", "ReduceSum");
    assertThat(profiles.toFile().list()).anyMatch(f -> f.startsWith("adapt-backward_"));
  }
}
