package io.attune.simulators.corruption;

import java.util.SplittableRandom;

/** Changes of tone: contrast, brightness, fog. */
final class Tone {

  private Tone() {}

  /** Contrast: each channel pulled towards its own mean, {@code m + (x - m) * factor}. */
  static Raster contrast(Raster image, double[] level, SplittableRandom random) {
    final float factor = (float) level[0];
    final int plane = image.plane();
    for (int c = 0; c < image.channels; c++) {
      final float mean = mean(image.data, c * plane, plane);
      for (int i = c * plane; i < (c + 1) * plane; i++) {
        image.data[i] = mean + (image.data[i] - mean) * factor;
      }
    }
    return image;
  }

  /**
   * Brightness: {@code x + shift}, clipped. CIFAR-10-C adds to the V channel of HSV, which for a
   * gray image is the value itself; for colour this shifts each channel alike.
   */
  static Raster brightness(Raster image, double[] level, SplittableRandom random) {
    final float shift = (float) level[0];
    for (int i = 0; i < image.data.length; i++) {
      image.data[i] += shift;
    }
    return image;
  }

  /**
   * Fog: a smooth random field (a plasma fractal, as CIFAR-10-C draws it) added with weight
   * {@code strength}, then the image rescaled by {@code max / (max + strength)} so that it does
   * not simply saturate. A larger {@code decay} makes the field smoother.
   */
  static Raster fog(Raster image, double[] level, SplittableRandom random) {
    final float strength = (float) level[0];
    final int size = Integer.highestOneBit(Math.max(2, Math.max(image.height, image.width) - 1))
        << 1;
    final float[] field = Plasma.fractal(size, level[1], random);
    float max = 0f;
    for (float v : image.data) {
      max = Math.max(max, v);
    }
    final float scale = max / (max + strength);
    final int plane = image.plane();
    for (int i = 0; i < image.data.length; i++) {
      final int p = i % plane;
      final float fog = field[(p / image.width) * size + p % image.width];
      image.data[i] = (image.data[i] + strength * fog) * scale;
    }
    return image;
  }

  private static float mean(float[] values, int from, int count) {
    double sum = 0;
    for (int i = from; i < from + count; i++) {
      sum += values[i];
    }
    return (float) (sum / count);
  }
}
