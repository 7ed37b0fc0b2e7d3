package io.attune.adaptation.eval;

/** Small functions over row-major logits {@code [N, classes]}. */
public final class Predictions {

  private Predictions() {}

  /** Index of the largest logit of each row; the first one wins a tie. */
  public static int[] argmax(float[] logits, int rows, int classes) {
    int[] out = new int[rows];
    for (int r = 0; r < rows; r++) {
      int base = r * classes;
      int best = 0;
      for (int c = 1; c < classes; c++) {
        if (logits[base + c] > logits[base + best]) {
          best = c;
        }
      }
      out[r] = best;
    }
    return out;
  }
}
