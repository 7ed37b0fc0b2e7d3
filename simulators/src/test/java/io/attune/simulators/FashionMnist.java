package io.attune.simulators;

import io.attune.adaptation.RepoRoot;
import io.attune.simulators.schedule.LabeledImages;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/** The Fashion-MNIST test split shipped in data/, read once per test JVM. */
public final class FashionMnist {

  private static final LabeledImages TEST = load();

  private FashionMnist() {}

  /** All 10,000 test images and labels. */
  public static LabeledImages test() {
    return TEST;
  }

  private static LabeledImages load() {
    final Path dir = RepoRoot.find().resolve("data").resolve("fashion-mnist");
    try {
      return LabeledImages.read(dir.resolve("t10k-images-idx3-ubyte.gz"),
          dir.resolve("t10k-labels-idx1-ubyte.gz"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
