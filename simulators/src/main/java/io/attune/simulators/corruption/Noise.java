package io.attune.simulators.corruption;

import java.util.SplittableRandom;

/**
 * Sensor noise, as in CIFAR-10-C (Hendrycks and Dietterich, 2019), on [0, 1] pixel values; each
 * channel gets its own draws.
 */
final class Noise {

  private Noise() {}

  /** Additive gaussian noise: {@code x + N(0, sigma)}. */
  static Raster gaussian(Raster image, double[] level, SplittableRandom random) {
    final double sigma = level[0];
    final float[] x = image.data;
    for (int i = 0; i < x.length; i++) {
      x[i] += (float) (sigma * random.nextGaussian());
    }
    return image;
  }

  /**
   * Photon (shot) noise: {@code Poisson(x * photons) / photons}; fewer photons, more noise. Black
   * pixels stay black, as no light means no shot noise.
   */
  static Raster shot(Raster image, double[] level, SplittableRandom random) {
    final double photons = level[0];
    final float[] x = image.data;
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) (RandomVariates.poisson(random, x[i] * photons) / photons);
    }
    return image;
  }

  /** Salt and pepper: a share {@code amount} of pixels set to black or white, half each. */
  static Raster impulse(Raster image, double[] level, SplittableRandom random) {
    final double amount = level[0];
    final float[] x = image.data;
    for (int i = 0; i < x.length; i++) {
      final double u = random.nextDouble();
      if (u < amount) {
        x[i] = u < amount / 2 ? 0f : 1f;
      }
    }
    return image;
  }

  /** Multiplicative (speckle) noise: {@code x + x * N(0, sigma)}. */
  static Raster speckle(Raster image, double[] level, SplittableRandom random) {
    final double sigma = level[0];
    final float[] x = image.data;
    for (int i = 0; i < x.length; i++) {
      x[i] += (float) (x[i] * sigma * random.nextGaussian());
    }
    return image;
  }
}
