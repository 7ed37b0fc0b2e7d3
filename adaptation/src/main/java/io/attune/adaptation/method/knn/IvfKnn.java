package io.attune.adaptation.method.knn;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * An inverted-file index (the IVF of FAISS, Jegou et al. 2011, without compression) for large,
 * static memories: spherical k-means cuts the entries into {@code lists} cells around unit
 * centroids; a query scores the centroids and searches exactly the entries of its
 * {@code probes} best cells. Approximate: a true neighbour in an unprobed cell is missed
 * ({@code attune bench-knn} reports the recall against {@link ExactKnn}).
 *
 * <p>Why our own and not a library: the memories that need it are static (a bundle's source
 * memory; AdaNPC's growing part is bounded and searched exactly), so an index built once is
 * enough, and IVF is about a hundred lines with no native code, while the Java HNSW libraries
 * on Maven Central bring their own serialization and threads for a problem this small. Built
 * deterministically from a seed, so two workers build the same index.
 */
public final class IvfKnn implements KnnIndex {

  /** Rounds of k-means; assignments change little after a few on unit vectors. */
  private static final int ITERATIONS = 8;

  private final float[] entries;
  private final int size;
  private final int dim;
  private final int probes;
  private final float[] centroids;
  private final int lists;
  private final int[][] members;

  /**
   * @param entries {@code [size, dim]}, L2-normalized; not copied
   * @param lists cells, in [1, size]; {@code sqrt(size)} is the usual choice
   * @param probes cells searched per query, in [1, lists]
   * @param seed seeds the choice of the initial centroids
   */
  public IvfKnn(float[] entries, int size, int dim, int lists, int probes, long seed) {
    if (lists < 1 || lists > size || probes < 1 || probes > lists) {
      throw new IllegalArgumentException("ivf needs 1 <= probes (" + probes + ") <= lists ("
          + lists + ") <= size (" + size + ")");
    }
    this.entries = entries;
    this.size = size;
    this.dim = dim;
    this.lists = lists;
    this.probes = probes;
    this.centroids = initialCentroids(seed);
    int[] assignment = new int[size];
    for (int it = 0; it < ITERATIONS; it++) {
      assign(assignment);
      recompute(assignment);
    }
    assign(assignment);
    this.members = invert(assignment);
  }

  private float[] initialCentroids(long seed) {
    int[] order = new SplittableRandom(seed).ints(0, size).distinct().limit(lists).toArray();
    float[] c = new float[lists * dim];
    for (int l = 0; l < lists; l++) {
      System.arraycopy(entries, order[l] * dim, c, l * dim, dim);
    }
    return c;
  }

  private void assign(int[] assignment) {
    for (int r = 0; r < size; r++) {
      int best = 0;
      float bestSim = Float.NEGATIVE_INFINITY;
      for (int l = 0; l < lists; l++) {
        float s = Vectors.dot(entries, r, centroids, l, dim);
        if (s > bestSim) {
          bestSim = s;
          best = l;
        }
      }
      assignment[r] = best;
    }
  }

  private void recompute(int[] assignment) {
    float[] sums = new float[lists * dim];
    int[] counts = new int[lists];
    for (int r = 0; r < size; r++) {
      int l = assignment[r];
      counts[l]++;
      for (int d = 0; d < dim; d++) {
        sums[l * dim + d] += entries[r * dim + d];
      }
    }
    float[] unit = Vectors.normalizeRows(sums, lists, dim);
    for (int l = 0; l < lists; l++) {
      if (counts[l] > 0) { // an emptied cell keeps its old centroid
        System.arraycopy(unit, l * dim, centroids, l * dim, dim);
      }
    }
  }

  private int[][] invert(int[] assignment) {
    int[] counts = new int[lists];
    for (int a : assignment) {
      counts[a]++;
    }
    int[][] out = new int[lists][];
    for (int l = 0; l < lists; l++) {
      out[l] = new int[counts[l]];
    }
    Arrays.fill(counts, 0);
    for (int r = 0; r < size; r++) {
      out[assignment[r]][counts[assignment[r]]++] = r;
    }
    return out;
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
    if (k < 1) {
      throw new IllegalArgumentException("k must be at least 1, got " + k);
    }
    int kk = Math.min(k, size);
    int[] indices = new int[count * kk];
    float[] sims = new float[count * kk];
    TopK cells = new TopK(probes);
    TopK top = new TopK(kk);
    int[] filled = new int[count];
    for (int q = 0; q < count; q++) {
      cells.clear();
      for (int l = 0; l < lists; l++) {
        cells.offer(l, Vectors.dot(queries, q, centroids, l, dim));
      }
      int[] probed = new int[probes];
      cells.copyTo(probed, new float[probes], 0);
      top.clear();
      for (int p = 0; p < cells.filled(); p++) {
        for (int r : members[probed[p]]) {
          top.offerUnordered(r, Vectors.dot(queries, q, entries, r, dim));
        }
      }
      filled[q] = top.filled();
      top.copyTo(indices, sims, q * kk);
    }
    for (int q = 0; q < count; q++) {
      // probed cells held fewer than k entries: the rest stay empty (index -1)
      for (int j = filled[q]; j < kk; j++) {
        indices[q * kk + j] = -1;
        sims[q * kk + j] = Float.NEGATIVE_INFINITY;
      }
    }
    return new Neighbours(count, kk, indices, sims);
  }
}
