package io.attune.cli;

import io.attune.adaptation.bundle.ModelBundle;
import io.attune.adaptation.bundle.ModelPreparation;
import io.attune.adaptation.model.ModelCard;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code attune prepare}: an ONNX classifier in, a model bundle out. */
@Command(
    name = "prepare",
    mixinStandardHelpOptions = true,
    usageHelpAutoWidth = true,
    header = "Turn an ONNX classifier into a model bundle that workers adapt and edges run.",
    description = {
      "",
      "Finds the normalization layers, the classifier head and the penultimate features, and "
          + "writes: edge.onnx (the model with every normalization parameter as an input and a "
          + "features output), adapt-forward.onnx and adapt-backward.onnx (normalization with "
          + "calibrated statistics, and the generated gradient of any loss on logits and "
          + "features with respect to every normalization scale and bias), head weights, the "
          + "optional source memory and manifest.json.",
      "",
      "A model exported with its BatchNormalization folded into the convolutions (PyTorch's "
          + "default) needs --calibration: Attune then inserts normalization layers after the "
          + "convolutions that feed an activation or a residual add, calibrated so that the "
          + "model is unchanged at source statistics.",
      ""
    },
    footer = {
      "",
      "Example:",
      "  ./attune prepare models/fmnist-resnet/model.onnx --out /tmp/bundle \\",
      "      --source-memory models/fmnist-resnet/source-memory/features.npy \\",
      "                      models/fmnist-resnet/source-memory/labels.npy \\",
      "      --source-images models/fmnist-resnet/source-memory/images.npy"
    })
final class PrepareCommand implements Callable<Integer> {

  @Spec
  private CommandSpec spec;

  @Parameters(index = "0", paramLabel = "MODEL.onnx", description = "The ONNX classifier.")
  private Path model;

  @Option(names = "--out", required = true, paramLabel = "DIR",
      description = "Bundle directory to write.")
  private Path out;

  @Option(names = "--meta", paramLabel = "JSON",
      description = "Model description: input shape, preprocessing, class names "
          + "(default: model.json beside the model, when there is one).")
  private Path meta;

  @Option(names = "--source-memory", arity = "2", paramLabel = "NPY",
      description = "Penultimate features (M x D, float32) and labels (M) of source samples.")
  private Path[] sourceMemory;

  @Option(names = "--calibration", paramLabel = "IMAGES",
      description = "Source images (IDX or .npy; uint8 pixels, or float32 preprocessed) for a "
          + "model whose BatchNormalization was folded into its convolutions, wholly or in "
          + "part: Attune inserts normalization layers calibrated on them after the "
          + "convolutions that feed an activation or a residual add directly. A few thousand "
          + "images are plenty.")
  private Path calibration;

  @Option(names = "--source-images", paramLabel = "IMAGES",
      description = "Clean source images (IDX or .npy) kept in the bundle for methods that "
          + "measure the source model on clean data (EATA's Fisher information); "
          + "default: the --calibration images, if any.")
  private Path sourceImages;

  @Override
  public Integer call() throws Exception {
    Path metaFile = meta;
    if (metaFile == null) {
      Path beside = model.toAbsolutePath().resolveSibling("model.json");
      metaFile = Files.isRegularFile(beside) ? beside : null;
    }
    ModelCard card = metaFile == null ? null : ModelCard.read(metaFile);
    ModelBundle bundle = ModelPreparation.prepare(new ModelPreparation.Options(model, out, card,
        sourceMemory == null ? null : sourceMemory[0],
        sourceMemory == null ? null : sourceMemory[1], calibration, sourceImages));
    spec.commandLine().getOut().printf("prepared %s: %d normalization layers%s, %d parameters; "
        + "bundle in %s%n", bundle.manifest().name(), bundle.manifest().layers().size(),
        bundle.manifest().insertedNormalization() ? " (inserted, calibrated)" : "",
        bundle.manifest().parameterCount(), out);
    return 0;
  }
}
