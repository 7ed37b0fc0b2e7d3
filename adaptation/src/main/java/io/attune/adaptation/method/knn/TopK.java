package io.attune.adaptation.method.knn;

/**
 * The {@code k} largest similarities seen so far, kept sorted (largest first; on equal
 * similarity the lower index first) by insertion: k is tens to hundreds, so a sorted array beats
 * a heap and makes the order deterministic.
 */
final class TopK {

  private final int k;
  private final int[] indices;
  private final float[] similarities;
  private int filled;

  TopK(int k) {
    this.k = k;
    this.indices = new int[k];
    this.similarities = new float[k];
  }

  void clear() {
    filled = 0;
  }

  /** Offers entry {@code index} with similarity {@code s}; indices must be offered ascending. */
  void offer(int index, float s) {
    if (filled == k && !(s > similarities[k - 1])) {
      return;
    }
    int pos = filled < k ? filled++ : k - 1;
    while (pos > 0 && s > similarities[pos - 1]) {
      indices[pos] = indices[pos - 1];
      similarities[pos] = similarities[pos - 1];
      pos--;
    }
    indices[pos] = index;
    similarities[pos] = s;
  }

  /** Like {@link #offer} for indices that arrive in any order: ties go to the lower index. */
  void offerUnordered(int index, float s) {
    if (filled == k && (s < similarities[k - 1]
        || (s == similarities[k - 1] && index > indices[k - 1]))) {
      return;
    }
    int pos = filled < k ? filled++ : k - 1;
    while (pos > 0 && (s > similarities[pos - 1]
        || (s == similarities[pos - 1] && index < indices[pos - 1]))) {
      indices[pos] = indices[pos - 1];
      similarities[pos] = similarities[pos - 1];
      pos--;
    }
    indices[pos] = index;
    similarities[pos] = s;
  }

  int filled() {
    return filled;
  }

  void copyTo(int[] outIndices, float[] outSimilarities, int offset) {
    System.arraycopy(indices, 0, outIndices, offset, filled);
    System.arraycopy(similarities, 0, outSimilarities, offset, filled);
  }
}
