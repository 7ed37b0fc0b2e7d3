package io.attune.adaptation.method.knn;

/** Row operations on row-major {@code [rows, dim]} float matrices. */
public final class Vectors {

  /** Below this norm a row is left as it is (PyTorch's {@code F.normalize} eps is 1e-12). */
  private static final double EPS = 1e-12;

  private Vectors() {}

  /** Each row divided by its L2 norm ({@code max(norm, 1e-12)}), as a new array. */
  public static float[] normalizeRows(float[] m, int rows, int dim) {
    float[] out = new float[rows * dim];
    for (int r = 0; r < rows; r++) {
      int base = r * dim;
      double s = 0;
      for (int d = 0; d < dim; d++) {
        s += (double) m[base + d] * m[base + d];
      }
      double inv = 1 / Math.max(Math.sqrt(s), EPS);
      for (int d = 0; d < dim; d++) {
        out[base + d] = (float) (m[base + d] * inv);
      }
    }
    return out;
  }

  /** Dot product of row {@code a} of {@code x} and row {@code b} of {@code y}. */
  static float dot(float[] x, int a, float[] y, int b, int dim) {
    int i = a * dim;
    int j = b * dim;
    float s0 = 0;
    float s1 = 0;
    float s2 = 0;
    float s3 = 0;
    int d = 0;
    for (; d + 3 < dim; d += 4) {
      s0 += x[i + d] * y[j + d];
      s1 += x[i + d + 1] * y[j + d + 1];
      s2 += x[i + d + 2] * y[j + d + 2];
      s3 += x[i + d + 3] * y[j + d + 3];
    }
    for (; d < dim; d++) {
      s0 += x[i + d] * y[j + d];
    }
    return (s0 + s1) + (s2 + s3);
  }
}
