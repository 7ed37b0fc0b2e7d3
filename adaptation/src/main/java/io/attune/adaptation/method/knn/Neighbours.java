package io.attune.adaptation.method.knn;

import java.util.Arrays;

/**
 * The {@code k} nearest entries of each query, nearest first: {@code indices[q * k + j]} is the
 * index of query {@code q}'s {@code j}-th neighbour in the searched memory and
 * {@code similarities[q * k + j]} its cosine similarity. Ties are broken by the lower index, so
 * a search is deterministic. An approximate index that finds fewer than {@code k} marks the
 * missing ones with index -1 and similarity negative infinity.
 *
 * @param queries number of queries
 * @param k neighbours per query
 */
public record Neighbours(int queries, int k, int[] indices, float[] similarities) {

  public Neighbours {
    if (indices.length != queries * k || similarities.length != queries * k) {
      throw new IllegalArgumentException(queries + " queries of " + k + " neighbours need "
          + queries * k + " entries, got " + indices.length + " and " + similarities.length);
    }
  }

  /** Index of query {@code q}'s {@code j}-th nearest entry. */
  public int index(int q, int j) {
    return indices[q * k + j];
  }

  /** Cosine similarity of query {@code q} to its {@code j}-th nearest entry. */
  public float similarity(int q, int j) {
    return similarities[q * k + j];
  }

  /**
   * The {@code k} nearest of two searches of the same queries over two memories, the second's
   * indices shifted by {@code offset} (its entries follow the first's in the union).
   */
  public static Neighbours merge(Neighbours first, Neighbours second, int offset, int k) {
    if (first.queries != second.queries) {
      throw new IllegalArgumentException(first.queries + " and " + second.queries + " queries");
    }
    int kk = Math.min(k, first.k + second.k);
    int[] indices = new int[first.queries * kk];
    float[] sims = new float[first.queries * kk];
    if (kk == 0) {
      return new Neighbours(first.queries, 0, indices, sims);
    }
    TopK top = new TopK(kk);
    for (int q = 0; q < first.queries; q++) {
      top.clear();
      for (int j = 0; j < first.k; j++) {
        if (first.index(q, j) >= 0) {
          top.offerUnordered(first.index(q, j), first.similarity(q, j));
        }
      }
      for (int j = 0; j < second.k; j++) {
        if (second.index(q, j) >= 0) {
          top.offerUnordered(second.index(q, j) + offset, second.similarity(q, j));
        }
      }
      top.copyTo(indices, sims, q * kk);
      for (int j = top.filled(); j < kk; j++) {
        indices[q * kk + j] = -1;
        sims[q * kk + j] = Float.NEGATIVE_INFINITY;
      }
    }
    return new Neighbours(first.queries, kk, indices, sims);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Neighbours n && queries == n.queries && k == n.k
        && Arrays.equals(indices, n.indices) && Arrays.equals(similarities, n.similarities);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(indices);
  }

  @Override
  public String toString() {
    return "Neighbours[" + queries + " x " + k + "]";
  }
}
