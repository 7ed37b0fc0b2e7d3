package io.attune.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * {@code --images} and {@code --labels}, shared by the commands that read a labelled image set;
 * both default to the Fashion-MNIST test split shipped in the repository.
 */
final class LabelledImagesOptions {

  @Option(names = "--images", paramLabel = "FILE",
      description = "Images, IDX or .npy (uint8 pixels; evaluate also takes float32 "
          + "preprocessed values) (default: ${DEFAULT-VALUE}).",
      defaultValue = "${sys:attune.home:-.}/data/fashion-mnist/t10k-images-idx3-ubyte.gz")
  Path images;

  @Option(names = "--labels", paramLabel = "FILE",
      description = "One label per image, IDX or .npy (default: ${DEFAULT-VALUE}).",
      defaultValue = "${sys:attune.home:-.}/data/fashion-mnist/t10k-labels-idx1-ubyte.gz")
  Path labels;
}
