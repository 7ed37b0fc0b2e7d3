package io.attune.simulators.corruption;

import java.util.SplittableRandom;

/**
 * The diamond-square plasma fractal of CIFAR-10-C's fog, on a square torus whose side is a power
 * of two: corners are averaged and perturbed, the perturbation shrinking by {@code decay} at each
 * halving of the step.
 */
final class Plasma {

  private static final double INITIAL_WIBBLE = 100;

  private Plasma() {}

  /** A {@code size x size} field scaled to [0, 1], row-major. */
  static float[] fractal(int size, double decay, SplittableRandom random) {
    final double[] map = new double[size * size];
    double wibble = INITIAL_WIBBLE;
    for (int step = size; step >= 2; step /= 2) {
      fillSquares(map, size, step, wibble, random);
      fillDiamonds(map, size, step, wibble, random);
      wibble /= decay;
    }
    return normalized(map);
  }

  private static void fillSquares(double[] map, int size, int step, double wibble,
      SplittableRandom random) {
    final int half = step / 2;
    for (int y = 0; y < size; y += step) {
      for (int x = 0; x < size; x += step) {
        final double sum = at(map, size, y, x) + at(map, size, y + step, x)
            + at(map, size, y, x + step) + at(map, size, y + step, x + step);
        map[(y + half) * size + x + half] = perturbed(sum, wibble, random);
      }
    }
  }

  private static void fillDiamonds(double[] map, int size, int step, double wibble,
      SplittableRandom random) {
    final int half = step / 2;
    for (int y = 0; y < size; y += step) {
      for (int x = 0; x < size; x += step) {
        final double top = at(map, size, y + half, x + half) + at(map, size, y - half, x + half)
            + at(map, size, y, x) + at(map, size, y, x + step);
        map[y * size + x + half] = perturbed(top, wibble, random);
        final double left = at(map, size, y + half, x + half) + at(map, size, y + half, x - half)
            + at(map, size, y, x) + at(map, size, y + step, x);
        map[(y + half) * size + x] = perturbed(left, wibble, random);
      }
    }
  }

  /** CIFAR-10-C's {@code wibbledmean}: mean of four plus {@code wibble * U(-wibble, wibble)}. */
  private static double perturbed(double sumOfFour, double wibble, SplittableRandom random) {
    return sumOfFour / 4 + wibble * (random.nextDouble(2 * wibble) - wibble);
  }

  private static double at(double[] map, int size, int y, int x) {
    return map[Math.floorMod(y, size) * size + Math.floorMod(x, size)];
  }

  private static float[] normalized(double[] map) {
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    for (double v : map) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    final double range = max > min ? max - min : 1;
    final float[] out = new float[map.length];
    for (int i = 0; i < map.length; i++) {
      out[i] = (float) ((map[i] - min) / range);
    }
    return out;
  }
}
