package io.attune.adaptation.method;

import java.util.SplittableRandom;

/**
 * The test-time augmentation of ROID's consistency loss, as the official code builds it
 * ({@code get_tta_transforms(img_size, padding_mode="reflect", cotta_augs=False)} in
 * mariodoebler/test-time-adaptation): in pixel space [0, 1],
 * <ol>
 *   <li>clip to [0, 1];
 *   <li>colour jitter in a random order: brightness {@code x*b}, b ~ U(0.6, 1.4); contrast
 *       {@code c*x + (1-c)*mean(gray(x))}, c ~ U(0.7, 1.3); saturation {@code s*x +
 *       (1-s)*gray(x)}, s ~ U(0.5, 1.5) (a no-op on one channel, as torchvision's); gamma
 *       {@code clamp(x, 1e-8, 1)^g}, g ~ U(0.7, 1.3); each result clamped to [0, 1];
 *   <li>reflect-pad by half the width, a random affine about the padded image's centre
 *       (rotation U(-15, 15) degrees, translation {@code round(U(-P/16, P/16))} pixels for
 *       padded size {@code P}, scale U(0.9, 1.1), bilinear, zeros outside), centre crop back;
 *   <li>horizontal flip with probability 0.5; clip to [0, 1].
 * </ol>
 * As torchvision does for a batch tensor, one draw of the random parameters serves the whole
 * batch. Inputs arrive preprocessed ({@code (v - mean_c) / std_c}) and go back the same way.
 *
 * <p>Deviation: the colour jitter's hue shift (U(-0.06, 0.06)) is left out for three-channel
 * images (it is a no-op for the one-channel reference model); implementing torchvision's HSV
 * round trip was not worth its cost here.
 *
 * @param channels C of the {@code [N, C, H, W]} input
 * @param height H
 * @param width W
 * @param mean per-channel preprocessing mean ({@code v = x * std + mean})
 * @param std per-channel preprocessing standard deviation
 */
public record TtaAugmentation(int channels, int height, int width, float[] mean, float[] std) {

  public TtaAugmentation {
    if (mean.length != channels || std.length != channels) {
      throw new IllegalArgumentException(channels + " channels but " + mean.length
          + " means and " + std.length + " standard deviations");
    }
    mean = mean.clone();
    std = std.clone();
  }

  /** The random parameters of one draw. */
  record Draw(int[] order, double brightness, double contrast, double saturation, double gamma,
      double angleDegrees, int tx, int ty, double scale, boolean flip) {}

  Draw draw(SplittableRandom random) {
    int[] order = {0, 1, 2, 3};
    for (int i = order.length - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    double brightness = uniform(random, 0.6, 1.4);
    double contrast = uniform(random, 0.7, 1.3);
    double saturation = uniform(random, 0.5, 1.5);
    double gamma = uniform(random, 0.7, 1.3);
    int padded = width + 2 * (width / 2);
    int paddedH = height + 2 * (width / 2);
    double angle = uniform(random, -15, 15);
    int tx = (int) Math.round(uniform(random, -padded / 16.0, padded / 16.0));
    int ty = (int) Math.round(uniform(random, -paddedH / 16.0, paddedH / 16.0));
    double scale = uniform(random, 0.9, 1.1);
    return new Draw(order, brightness, contrast, saturation, gamma, angle, tx, ty, scale,
        random.nextDouble() < 0.5);
  }

  /** Augments {@code n} preprocessed samples with one random draw. */
  public float[] apply(float[] inputs, int n, SplittableRandom random) {
    return apply(inputs, n, draw(random));
  }

  float[] apply(float[] inputs, int n, Draw d) {
    int plane = height * width;
    int size = channels * plane;
    float[] out = new float[n * size];
    double[] v = new double[size];
    for (int i = 0; i < n; i++) {
      for (int k = 0; k < size; k++) {
        v[k] = clip(inputs[i * size + k] * std[k / plane] + mean[k / plane]);
      }
      for (int op : d.order()) {
        jitter(v, op, d);
      }
      double[] warped = warp(v, d);
      for (int k = 0; k < size; k++) {
        out[i * size + k] = (float) ((clip(warped[k]) - mean[k / plane]) / std[k / plane]);
      }
    }
    return out;
  }

  private void jitter(double[] v, int op, Draw d) {
    switch (op) {
      case 0 -> {
        for (int k = 0; k < v.length; k++) {
          v[k] = clip(v[k] * d.brightness());
        }
      }
      case 1 -> {
        double[] gray = gray(v);
        double m = 0;
        for (double g : gray) {
          m += g;
        }
        m /= gray.length;
        for (int k = 0; k < v.length; k++) {
          v[k] = clip(d.contrast() * v[k] + (1 - d.contrast()) * m);
        }
      }
      case 2 -> {
        if (channels == 3) {
          double[] gray = gray(v);
          int plane = height * width;
          for (int k = 0; k < v.length; k++) {
            v[k] = clip(d.saturation() * v[k] + (1 - d.saturation()) * gray[k % plane]);
          }
        }
      }
      default -> {
        for (int k = 0; k < v.length; k++) {
          v[k] = clip(Math.pow(Math.min(1, Math.max(1e-8, v[k])), d.gamma()));
        }
      }
    }
  }

  /** Grayscale plane: the channel itself, or ITU-R 601-2 luma of RGB as torchvision. */
  private double[] gray(double[] v) {
    int plane = height * width;
    double[] g = new double[plane];
    for (int k = 0; k < plane; k++) {
      g[k] = channels == 3 ? 0.2989 * v[k] + 0.587 * v[plane + k] + 0.114 * v[2 * plane + k]
          : v[k];
    }
    return g;
  }

  /** Reflect-pad, affine about the padded centre (bilinear, zeros outside), crop, flip. */
  private double[] warp(double[] v, Draw d) {
    int pad = width / 2;
    int ph = height + 2 * pad;
    int pw = width + 2 * pad;
    double cx = (pw - 1) * 0.5;
    double cy = (ph - 1) * 0.5;
    double a = Math.toRadians(d.angleDegrees());
    double cos = Math.cos(a) / d.scale();
    double sin = Math.sin(a) / d.scale();
    int plane = height * width;
    double[] out = new double[v.length];
    for (int c = 0; c < channels; c++) {
      for (int y = 0; y < height; y++) {
        for (int x = 0; x < width; x++) {
          int ox = d.flip() ? width - 1 - x : x;
          double u = x + pad - cx - d.tx();
          double w = y + pad - cy - d.ty();
          double sx = cos * u + sin * w + cx;
          double sy = -sin * u + cos * w + cy;
          out[c * plane + y * width + ox] = bilinear(v, c, sx, sy, pad, pw, ph);
        }
      }
    }
    return out;
  }

  private double bilinear(double[] v, int c, double sx, double sy, int pad, int pw, int ph) {
    int x0 = (int) Math.floor(sx);
    int y0 = (int) Math.floor(sy);
    double fx = sx - x0;
    double fy = sy - y0;
    return (1 - fy) * ((1 - fx) * padded(v, c, x0, y0, pad, pw, ph)
        + fx * padded(v, c, x0 + 1, y0, pad, pw, ph))
        + fy * ((1 - fx) * padded(v, c, x0, y0 + 1, pad, pw, ph)
        + fx * padded(v, c, x0 + 1, y0 + 1, pad, pw, ph));
  }

  /** Pixel of the reflect-padded image, 0 outside it. */
  private double padded(double[] v, int c, int x, int y, int pad, int pw, int ph) {
    if (x < 0 || y < 0 || x >= pw || y >= ph) {
      return 0;
    }
    return v[c * height * width + reflect(y - pad, height) * width + reflect(x - pad, width)];
  }

  private static int reflect(int i, int n) {
    if (n == 1) {
      return 0;
    }
    int period = 2 * (n - 1);
    int m = Math.floorMod(i, period);
    return m < n ? m : period - m;
  }

  private static double clip(double v) {
    return Math.min(1, Math.max(0, v));
  }

  private static double uniform(SplittableRandom random, double lo, double hi) {
    return lo + (hi - lo) * random.nextDouble();
  }
}
