package io.attune.adaptation.method.knn;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Search latency of {@link ExactKnn} and {@link IvfKnn} on memories of class-clustered unit
 * vectors (10 Gaussian clusters, like penultimate features of a 10-class model): one batch of
 * queries per search, the median over timed iterations, and the IVF's recall of the exact
 * neighbours. Deterministic data (seeded), so runs differ only by the machine.
 */
public final class KnnBenchmark {

  /**
   * One memory size.
   *
   * @param exactMillis median milliseconds of one exact batch search
   * @param ivfBuildMillis milliseconds to build the IVF index once
   * @param ivfMillis median milliseconds of one IVF batch search
   * @param ivfRecall share of the exact k neighbours the IVF search finds
   * @param lists IVF cells ({@code sqrt(size)})
   * @param probes IVF cells searched per query
   */
  public record Row(int size, double exactMillis, double ivfBuildMillis, double ivfMillis,
      double ivfRecall, int lists, int probes) {}

  /** The whole run: its parameters and one row per size. */
  public record Result(int dim, int queries, int k, int iterations, List<Row> rows) {}

  private KnnBenchmark() {}

  /**
   * @param sizes memory sizes, each at least 1
   * @param probes IVF cells probed per query
   */
  public static Result run(int[] sizes, int dim, int queries, int k, int probes, int warmup,
      int iterations) {
    float[] q = clustered(queries, dim, 2);
    List<Row> rows = new ArrayList<>();
    for (int size : sizes) {
      float[] memory = clustered(size, dim, 1);
      ExactKnn exact = new ExactKnn(memory, size, dim);
      int lists = Math.max(1, (int) Math.round(Math.sqrt(size)));
      int p = Math.min(probes, lists);
      long t0 = System.nanoTime();
      IvfKnn ivf = new IvfKnn(memory, size, dim, lists, p, 0x5eedL);
      double build = (System.nanoTime() - t0) / 1e6;
      double[] exactMs = new double[iterations];
      double[] ivfMs = new double[iterations];
      Neighbours truth = null;
      Neighbours approx = null;
      for (int i = -warmup; i < iterations; i++) {
        long a = System.nanoTime();
        truth = exact.search(q, queries, k);
        long b = System.nanoTime();
        approx = ivf.search(q, queries, k);
        long c = System.nanoTime();
        if (i >= 0) {
          exactMs[i] = (b - a) / 1e6;
          ivfMs[i] = (c - b) / 1e6;
        }
      }
      rows.add(new Row(size, median(exactMs), build, median(ivfMs), recall(approx, truth), lists,
          p));
    }
    return new Result(dim, queries, k, iterations, rows);
  }

  /** Share of {@code exact}'s neighbours that {@code approx} also lists, per query. */
  public static double recall(Neighbours approx, Neighbours exact) {
    long hit = 0;
    for (int q = 0; q < exact.queries(); q++) {
      for (int j = 0; j < exact.k(); j++) {
        for (int i = 0; i < approx.k(); i++) {
          if (approx.index(q, i) == exact.index(q, j)) {
            hit++;
            break;
          }
        }
      }
    }
    return hit / (double) Math.max(1, exact.queries() * exact.k());
  }

  private static double median(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  }

  /** Unit vectors around 10 random centres, like class-clustered features (tests use them too). */
  static float[] clustered(int n, int dim, long seed) {
    Random centres = new Random(99);
    float[] c = new float[10 * dim];
    for (int i = 0; i < c.length; i++) {
      c[i] = (float) centres.nextGaussian();
    }
    Random r = new Random(seed);
    float[] out = new float[n * dim];
    for (int i = 0; i < n; i++) {
      int cluster = r.nextInt(10);
      for (int d = 0; d < dim; d++) {
        out[i * dim + d] = c[cluster * dim + d] + 0.7f * (float) r.nextGaussian();
      }
    }
    return Vectors.normalizeRows(out, n, dim);
  }
}
