package io.attune.simulators.corruption;

import java.util.SplittableRandom;

/** Optical and motion blur; every channel is blurred with the same kernel. */
final class Blur {

  private Blur() {}

  /** Defocus: convolution with a disk of the given radius (CIFAR-10-C's aliased disk). */
  static Raster defocus(Raster image, double[] level, SplittableRandom random) {
    return Kernel.disk(level[0]).apply(image);
  }

  /**
   * Motion: convolution with a line of the given length at a random angle, the camera or the
   * object having moved in any direction during the exposure.
   */
  static Raster motion(Raster image, double[] level, SplittableRandom random) {
    return Kernel.line(level[0], random.nextDouble(180)).apply(image);
  }

  /** Gaussian blur of the given standard deviation, in two separable passes. */
  static Raster gaussian(Raster image, double[] level, SplittableRandom random) {
    final Raster rows = Kernel.gaussian1d(level[0], true).apply(image);
    return Kernel.gaussian1d(level[0], false).apply(rows);
  }
}
