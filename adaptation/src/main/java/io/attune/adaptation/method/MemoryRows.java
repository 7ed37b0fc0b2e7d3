package io.attune.adaptation.method;

import java.util.Arrays;

/**
 * Helpers for the feature memories of T3A and AdaNPC kept in {@link MethodState#extras()}:
 * labels are stored as floats (exact below 2^24, far above any class count), and a version as
 * two 24-bit halves so that it survives the float round trip exactly.
 */
final class MemoryRows {

  private MemoryRows() {}

  static float[] labelsAsFloats(int[] labels) {
    float[] out = new float[labels.length];
    for (int i = 0; i < labels.length; i++) {
      out[i] = labels[i];
    }
    return out;
  }

  static int[] labels(float[] stored) {
    int[] out = new int[stored.length];
    for (int i = 0; i < stored.length; i++) {
      out[i] = (int) stored[i];
    }
    return out;
  }

  static float[] version(long v) {
    return new float[] {(float) (v >>> 24), (float) (v & 0xFFFFFF)};
  }

  static long version(float[] stored) {
    return ((long) stored[0] << 24) | (long) stored[1];
  }

  /** Rows {@code keep} of {@code [rows, dim]} matrix {@code m}, in that order. */
  static float[] rows(float[] m, int dim, int[] keep) {
    float[] out = new float[keep.length * dim];
    for (int i = 0; i < keep.length; i++) {
      System.arraycopy(m, keep[i] * dim, out, i * dim, dim);
    }
    return out;
  }

  static float[] concat(float[] a, float[] b) {
    float[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  static int argmax(float[] row, int offset, int length) {
    int best = 0;
    for (int c = 1; c < length; c++) {
      if (row[offset + c] > row[offset + best]) {
        best = c;
      }
    }
    return best;
  }
}
