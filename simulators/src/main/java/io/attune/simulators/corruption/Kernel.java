package io.attune.simulators.corruption;

import java.util.ArrayList;
import java.util.List;

/**
 * A normalized convolution kernel as a list of non-zero taps, so that a thin motion line costs its
 * length, not its bounding square.
 */
final class Kernel {

  private static final int SUPERSAMPLING = 8;
  private static final double LINE_STEP = 0.125;

  private final int[] dy;
  private final int[] dx;
  private final float[] weight;

  private Kernel(int[] dy, int[] dx, float[] weight) {
    this.dy = dy;
    this.dx = dx;
    this.weight = weight;
  }

  /**
   * A disk of {@code radius} pixels, each cell weighted by the share of it inside the circle
   * (measured on an 8 x 8 subgrid), so that the blur grows smoothly with fractional radii, as a
   * defocused lens does.
   */
  static Kernel disk(double radius) {
    final int reach = (int) Math.ceil(radius);
    final double[][] grid = new double[2 * reach + 1][2 * reach + 1];
    for (int y = -reach; y <= reach; y++) {
      for (int x = -reach; x <= reach; x++) {
        grid[y + reach][x + reach] = coverage(y, x, radius);
      }
    }
    return fromGrid(grid, reach);
  }

  /**
   * A straight line of {@code length} pixels through the centre at {@code degrees} from the
   * x axis, drawn with bilinear weights so that any angle has the same total weight.
   */
  static Kernel line(double length, double degrees) {
    final int reach = (int) Math.ceil(length / 2) + 1;
    final double[][] grid = new double[2 * reach + 1][2 * reach + 1];
    final double cos = Math.cos(Math.toRadians(degrees));
    final double sin = Math.sin(Math.toRadians(degrees));
    for (double t = -length / 2; t <= length / 2 + 1e-9; t += LINE_STEP) {
      splat(grid, reach + t * sin, reach + t * cos);
    }
    return fromGrid(grid, reach);
  }

  /** One dimension of a gaussian of {@code sigma} pixels, horizontal or vertical, to 3 sigma. */
  static Kernel gaussian1d(double sigma, boolean horizontal) {
    final int reach = Math.max(1, (int) Math.ceil(3 * sigma));
    final double[][] grid =
        horizontal ? new double[1][2 * reach + 1] : new double[2 * reach + 1][1];
    for (int i = -reach; i <= reach; i++) {
      final double g = Math.exp(-i * i / (2 * sigma * sigma));
      if (horizontal) {
        grid[0][i + reach] = g;
      } else {
        grid[i + reach][0] = g;
      }
    }
    return fromGrid(grid, horizontal ? 0 : reach, horizontal ? reach : 0);
  }

  /**
   * Convolves every channel of {@code image}, repeating edge pixels beyond the border. Taps are
   * the outer loop so that the inner one runs over a row without branches, which the JIT
   * vectorizes; edge columns are clamped separately.
   */
  Raster apply(Raster image) {
    final Raster out = image.blank();
    final int width = image.width;
    for (int c = 0; c < image.channels; c++) {
      final int base = c * image.plane();
      for (int t = 0; t < weight.length; t++) {
        final int from = Math.max(0, Math.min(width, -dx[t]));
        final int to = Math.max(from, Math.min(width, width - dx[t]));
        for (int y = 0; y < image.height; y++) {
          final int row = base + y * width;
          final int source = base + Math.max(0, Math.min(image.height - 1, y + dy[t])) * width;
          addRow(image.data, source, out.data, row, from, to, dx[t], weight[t]);
          for (int x = 0; x < from; x++) {
            out.data[row + x] += weight[t] * image.data[source + clampColumn(x + dx[t], width)];
          }
          for (int x = to; x < width; x++) {
            out.data[row + x] += weight[t] * image.data[source + clampColumn(x + dx[t], width)];
          }
        }
      }
    }
    return out;
  }

  private static void addRow(float[] src, int source, float[] dst, int row, int from, int to,
      int shift, float weight) {
    for (int x = from; x < to; x++) {
      dst[row + x] += weight * src[source + x + shift];
    }
  }

  private static int clampColumn(int x, int width) {
    return Math.max(0, Math.min(width - 1, x));
  }

  int taps() {
    return weight.length;
  }

  private static double coverage(int y, int x, double radius) {
    int inside = 0;
    for (int i = 0; i < SUPERSAMPLING; i++) {
      for (int j = 0; j < SUPERSAMPLING; j++) {
        final double sy = y - 0.5 + (i + 0.5) / SUPERSAMPLING;
        final double sx = x - 0.5 + (j + 0.5) / SUPERSAMPLING;
        if (sy * sy + sx * sx <= radius * radius) {
          inside++;
        }
      }
    }
    return inside / (double) (SUPERSAMPLING * SUPERSAMPLING);
  }

  private static void splat(double[][] grid, double y, double x) {
    final int y0 = (int) Math.floor(y);
    final int x0 = (int) Math.floor(x);
    final double fy = y - y0;
    final double fx = x - x0;
    grid[y0][x0] += (1 - fy) * (1 - fx);
    grid[y0][x0 + 1] += (1 - fy) * fx;
    grid[y0 + 1][x0] += fy * (1 - fx);
    grid[y0 + 1][x0 + 1] += fy * fx;
  }

  private static Kernel fromGrid(double[][] grid, int reach) {
    return fromGrid(grid, reach, reach);
  }

  private static Kernel fromGrid(double[][] grid, int reachY, int reachX) {
    double total = 0;
    final List<int[]> positions = new ArrayList<>();
    for (int y = 0; y < grid.length; y++) {
      for (int x = 0; x < grid[y].length; x++) {
        if (grid[y][x] > 1e-6) {
          total += grid[y][x];
          positions.add(new int[] {y, x});
        }
      }
    }
    final int[] dy = new int[positions.size()];
    final int[] dx = new int[positions.size()];
    final float[] weight = new float[positions.size()];
    for (int t = 0; t < weight.length; t++) {
      final int[] p = positions.get(t);
      dy[t] = p[0] - reachY;
      dx[t] = p[1] - reachX;
      weight[t] = (float) (grid[p[0]][p[1]] / total);
    }
    return new Kernel(dy, dx, weight);
  }
}
