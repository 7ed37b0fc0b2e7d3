package io.attune.edge;

import io.attune.adaptation.ReferenceModel;
import io.attune.adaptation.bundle.ModelBundle;
import io.attune.adaptation.data.LabeledReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Random;

/** The reference Fashion-MNIST bundle, and test images with Gaussian pixel noise. */
final class ReferenceBundle {

  private ReferenceBundle() {}

  static ModelBundle get() {
    return ReferenceModel.sharedBundle();
  }

  /**
   * The first {@code count} test images with Gaussian pixel noise of standard deviation
   * {@code sigma} (0..255 units, clipped), seeded.
   */
  static byte[] noisyImages(int count, double sigma, long seed) {
    try (LabeledReader reader = LabeledReader.open(ReferenceModel.testImages(),
        ReferenceModel.testLabels())) {
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
}
