package io.attune.simulators.corruption;

import java.util.SplittableRandom;

/**
 * Geometric corruptions: an affine map (rotation, translation, scale, shear, as in MNIST-C) or a
 * smooth random displacement field (elastic), applied by inverse mapping with bilinear sampling.
 * Every channel moves alike; what moves in from outside the frame is black.
 */
final class Warp {

  private Warp() {}

  /** Rotation by {@code degrees}, jittered by up to {@code jitter} degrees, either way round. */
  static Raster rotate(Raster image, double[] level, SplittableRandom random) {
    final double degrees = (level[0] + level[1] * (2 * random.nextDouble() - 1))
        * (random.nextBoolean() ? 1 : -1);
    final double cos = Math.cos(Math.toRadians(degrees));
    final double sin = Math.sin(Math.toRadians(degrees));
    return affine(image, cos, -sin, sin, cos, 0, 0);
  }

  /** Translation by {@code distance} pixels in a random direction. */
  static Raster translate(Raster image, double[] level, SplittableRandom random) {
    final double direction = random.nextDouble(2 * Math.PI);
    return affine(image, 1, 0, 0, 1, -level[0] * Math.sin(direction),
        -level[0] * Math.cos(direction));
  }

  /**
   * Scale about the centre: zoom in by {@code factor} or out by its inverse, a coin flip, the
   * object getting closer to or farther from the camera.
   */
  static Raster scale(Raster image, double[] level, SplittableRandom random) {
    final double zoom = random.nextBoolean() ? level[0] : 1 / level[0];
    return affine(image, 1 / zoom, 0, 0, 1 / zoom, 0, 0);
  }

  /** Shear by {@code factor} along a random axis, either way. */
  static Raster shear(Raster image, double[] level, SplittableRandom random) {
    final double k = level[0] * (random.nextBoolean() ? 1 : -1);
    return random.nextBoolean() ? affine(image, 1, k, 0, 1, 0, 0)
        : affine(image, 1, 0, k, 1, 0, 0);
  }

  /**
   * Elastic distortion (Simard et al., 2003, as in MNIST-C and CIFAR-10-C): uniform noise per
   * pixel, smoothed by a gaussian of {@code sigma} pixels and scaled so that the displacement's
   * root mean square is {@code displacement} pixels.
   */
  static Raster elastic(Raster image, double[] level, SplittableRandom random) {
    final float[] dy = smoothField(image, level[1], random);
    final float[] dx = smoothField(image, level[1], random);
    double squares = 0;
    for (int i = 0; i < dy.length; i++) {
      squares += dy[i] * dy[i] + dx[i] * dx[i];
    }
    final float scale = (float) (level[0] / Math.sqrt(Math.max(squares / dy.length, 1e-12)));
    final Raster out = image.blank();
    final int plane = image.plane();
    for (int p = 0; p < plane; p++) {
      final float sy = p / image.width + dy[p] * scale;
      final float sx = p % image.width + dx[p] * scale;
      for (int c = 0; c < image.channels; c++) {
        out.data[c * plane + p] = image.bilinear(c, sy, sx);
      }
    }
    return out;
  }

  /**
   * Inverse affine map about the image centre: output pixel (y, x) reads the source at
   * {@code (c*u + d*v + cy + ty, a*u + b*v + cx + tx)} with {@code u = x - cx, v = y - cy}.
   */
  private static Raster affine(Raster image, double a, double b, double c, double d, double ty,
      double tx) {
    final Raster out = image.blank();
    final double cy = (image.height - 1) / 2.0;
    final double cx = (image.width - 1) / 2.0;
    final int plane = image.plane();
    for (int y = 0; y < image.height; y++) {
      for (int x = 0; x < image.width; x++) {
        final double u = x - cx;
        final double v = y - cy;
        final float sx = (float) (a * u + b * v + cx + tx);
        final float sy = (float) (c * u + d * v + cy + ty);
        for (int ch = 0; ch < image.channels; ch++) {
          out.data[ch * plane + y * image.width + x] = image.bilinear(ch, sy, sx);
        }
      }
    }
    return out;
  }

  private static float[] smoothField(Raster image, double sigma, SplittableRandom random) {
    final Raster noise = new Raster(1, image.height, image.width);
    for (int i = 0; i < noise.data.length; i++) {
      noise.data[i] = (float) (2 * random.nextDouble() - 1);
    }
    final Raster rows = Kernel.gaussian1d(sigma, true).apply(noise);
    return Kernel.gaussian1d(sigma, false).apply(rows).data;
  }
}
