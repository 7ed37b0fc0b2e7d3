package io.attune.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;

/** The reference model prepared by 'attune prepare' with its source images, as README says. */
final class ReferenceBundleFixture {

  static final Path MODELS = Path.of(System.getProperty("attune.root", "..")).resolve(
      "models/fmnist-resnet");

  /** The shipped test split as options ('--images' defaults to it under ./attune only). */
  static final String[] TEST_SPLIT = {"--images", Path.of(System.getProperty("attune.root", ".."))
      .resolve("data/fashion-mnist/t10k-images-idx3-ubyte.gz").toString(), "--labels",
      Path.of(System.getProperty("attune.root", ".."))
          .resolve("data/fashion-mnist/t10k-labels-idx1-ubyte.gz").toString()};

  private ReferenceBundleFixture() {}

  /** {@code args} followed by {@link #TEST_SPLIT}. */
  static String[] withTestSplit(String... args) {
    String[] all = java.util.Arrays.copyOf(args, args.length + TEST_SPLIT.length);
    System.arraycopy(TEST_SPLIT, 0, all, args.length, TEST_SPLIT.length);
    return all;
  }

  static Path prepare(Path dir) {
    Path bundle = dir.resolve("bundle");
    int code = Attune.run(new String[] {"prepare", MODELS.resolve("model.onnx").toString(),
        "--source-images", MODELS.resolve("source-memory/images.npy").toString(),
        "--out", bundle.toString()},
        new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()));
    assertThat(code).isZero();
    return bundle;
  }
}
