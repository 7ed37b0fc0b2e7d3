package io.attune.edge;

import io.attune.adaptation.bundle.ModelBundle;
import io.attune.adaptation.bundle.ModelPreparation;
import io.attune.adaptation.data.LabeledReader;
import io.attune.adaptation.model.ModelCard;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/**
 * The reference Fashion-MNIST model prepared once per test JVM into a temporary bundle, and
 * test images with Gaussian pixel noise.
 */
final class ReferenceBundle {

  private static final Path ROOT = root();
  private static final ModelBundle BUNDLE = prepare();

  private ReferenceBundle() {}

  static ModelBundle get() {
    return BUNDLE;
  }

  /**
   * The first {@code count} test images with Gaussian pixel noise of standard deviation
   * {@code sigma} (0..255 units, clipped), seeded.
   */
  static byte[] noisyImages(int count, double sigma, long seed) {
    Path data = ROOT.resolve("data/fashion-mnist");
    try (LabeledReader reader = LabeledReader.open(data.resolve("t10k-images-idx3-ubyte.gz"),
        data.resolve("t10k-labels-idx1-ubyte.gz"))) {
      byte[] pixels = reader.images().readBytes(count);
      Random noise = new Random(seed);
      for (int i = 0; i < pixels.length; i++) {
        pixels[i] = (byte) Math.max(0, Math.min(255,
            (pixels[i] & 0xFF) + Math.round(sigma * noise.nextGaussian())));
      }
      return pixels;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static ModelBundle prepare() {
    Path models = ROOT.resolve("models/fmnist-resnet");
    try {
      Path dir = Files.createTempDirectory("attune-edge-bundle");
      dir.toFile().deleteOnExit();
      return ModelPreparation.prepare(new ModelPreparation.Options(models.resolve("model.onnx"),
          dir.resolve("bundle"), ModelCard.read(models.resolve("model.json")), null, null, null,
          null));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Path root() {
    String configured = System.getProperty("attune.root");
    if (configured != null && Files.isDirectory(Path.of(configured, "data", "fashion-mnist"))) {
      return Path.of(configured);
    }
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.isDirectory(dir.resolve("data").resolve("fashion-mnist"))) {
        return dir;
      }
    }
    throw new IllegalStateException("no data/fashion-mnist above " + Path.of("").toAbsolutePath());
  }
}
