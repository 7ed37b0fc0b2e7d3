package io.attune.adaptation.method.knn;

/**
 * Nearest-neighbour search by cosine similarity over a fixed set of L2-normalized vectors
 * (AdaNPC's memory, LAME's batch). On unit vectors the nearest by cosine are the nearest by
 * Euclidean distance, since {@code |a - b|^2 = 2 - 2 a.b}.
 */
public interface KnnIndex {

  /** Entries searched. */
  int size();

  /** Dimension of every vector. */
  int dim();

  /**
   * The {@code min(k, size())} nearest entries of each query.
   *
   * @param queries {@code [count, dim]} row-major, L2-normalized
   * @param count number of queries
   * @param k neighbours wanted per query, at least 1
   */
  Neighbours search(float[] queries, int count, int k);
}
