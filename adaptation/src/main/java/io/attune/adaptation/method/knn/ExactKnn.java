package io.attune.adaptation.method.knn;

/**
 * Brute-force search: every query against every entry, {@code O(queries * size * dim)}. Exact,
 * allocation-light and deterministic; at the sizes adaptation uses (a batch for LAME, a few
 * thousand entries for AdaNPC) it takes milliseconds ({@code attune bench-knn} measures it).
 */
public final class ExactKnn implements KnnIndex {

  private final float[] entries;
  private final int size;
  private final int dim;

  /**
   * @param entries {@code [size, dim]} row-major, L2-normalized; not copied, so the caller must
   *     not change it while the index is in use
   */
  public ExactKnn(float[] entries, int size, int dim) {
    if (dim < 1 || size < 0 || entries.length < size * dim) {
      throw new IllegalArgumentException(entries.length + " values are not " + size
          + " entries of dim " + dim);
    }
    this.entries = entries;
    this.size = size;
    this.dim = dim;
  }

  @Override
  public int size() {
    return size;
  }

  @Override
  public int dim() {
    return dim;
  }

  @Override
  public Neighbours search(float[] queries, int count, int k) {
    return search(queries, count, k, false);
  }

  /**
   * The {@code k} nearest other entries of every entry (a kNN graph, as LAME's affinity needs):
   * entry {@code i} is never its own neighbour.
   */
  public Neighbours searchSelf(int k) {
    return search(entries, size, k, true);
  }

  private Neighbours search(float[] queries, int count, int k, boolean skipSelf) {
    if (k < 1) {
      throw new IllegalArgumentException("k must be at least 1, got " + k);
    }
    int kk = Math.min(k, skipSelf ? size - 1 : size);
    int[] indices = new int[count * kk];
    float[] sims = new float[count * kk];
    if (kk <= 0) {
      return new Neighbours(count, Math.max(kk, 0), indices, sims);
    }
    // memory rows outside, queries inside: a batch of queries stays in L1 while each memory
    // row is read once, instead of streaming the whole memory once per query
    TopK[] tops = new TopK[count];
    for (int q = 0; q < count; q++) {
      tops[q] = new TopK(kk);
    }
    for (int r = 0; r < size; r++) {
      for (int q = 0; q < count; q++) {
        if (!(skipSelf && r == q)) {
          tops[q].offer(r, Vectors.dot(queries, q, entries, r, dim));
        }
      }
    }
    for (int q = 0; q < count; q++) {
      tops[q].copyTo(indices, sims, q * kk);
    }
    return new Neighbours(count, kk, indices, sims);
  }
}
