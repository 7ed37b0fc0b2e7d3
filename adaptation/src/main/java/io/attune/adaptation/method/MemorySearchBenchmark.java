package io.attune.adaptation.method;

import io.attune.adaptation.bundle.ModelBundle;
import io.attune.adaptation.method.knn.ExactKnn;
import io.attune.adaptation.method.knn.IvfKnn;
import io.attune.adaptation.method.knn.KnnBenchmark;
import io.attune.adaptation.method.knn.KnnIndex;
import io.attune.adaptation.method.knn.Neighbours;
import io.attune.adaptation.method.knn.Vectors;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The nearest-neighbour searches of AdaNPC and LAME at the sizes they run with on one bundle,
 * timed through the methods' own search code ({@link AdaNpc#search}, {@link Lame#affinity}):
 * <ul>
 *   <li>AdaNPC, each step: every sample of the batch against the bundle's source memory (its
 *       index as AdaNPC builds it) and the test entries at the default capacity, merged; that
 *       is the most a step searches, reached once the memory is full;
 *   <li>LAME, each step: the kNN graph of the batch (batch size 2 or more; at 1 it has none).
 * </ul>
 * The vectors are the bundle's source features (L2-normalized); the test entries and the
 * queries are rows of them too, taken in turn. An exact search reads every entry whatever its
 * values, so its time depends on the sizes only. The IVF index is measured on the same
 * features for its recall: over the source memory less 64 rows, those 64 rows as queries.
 */
public final class MemorySearchBenchmark {

  /**
   * One timed search.
   *
   * @param method {@code adanpc} or {@code lame}
   * @param search what is searched, in words
   * @param entries entries searched per query
   * @param queries queries per search (the batch size)
   * @param k neighbours per query
   * @param medianMillis median milliseconds of one search
   */
  public record Row(String method, String search, int entries, int queries, int k,
      double medianMillis) {

    /** Microseconds per query (per sample of the batch). */
    public double perQueryMicros() {
      return 1000 * medianMillis / queries;
    }
  }

  /**
   * The run.
   *
   * @param sourceEntries the bundle's source memory rows
   * @param dim feature dimension
   * @param capacity AdaNPC's default test-entry capacity
   * @param sourceSearch how AdaNPC searches this source memory ({@code exact} or {@code ivf})
   * @param ivfLists cells of the IVF index over the source memory's rows less the queries
   * @param ivfProbes cells searched per query
   * @param ivfRecall share of the exact AdaNPC-k neighbours that index finds
   * @param iterations timed searches per row
   */
  public record Result(int sourceEntries, int dim, int capacity, String sourceSearch,
      int ivfLists, int ivfProbes, double ivfRecall, int iterations, List<Row> rows) {}

  private MemorySearchBenchmark() {}

  /**
   * @param batches batch sizes, each at least 1
   * @throws io.attune.adaptation.model.InvalidModelException when the bundle keeps no source
   *     memory
   */
  public static Result run(ModelBundle bundle, int[] batches, int warmup, int iterations) {
    BundleArrays.SourceMemory memory = BundleArrays.sourceMemory(bundle, "bench-knn --bundle");
    int dim = memory.dim();
    int count = memory.count();
    float[] unit = Vectors.normalizeRows(memory.features(), count, dim);
    AdaNpc.Entries source = new AdaNpc.Entries(unit, memory.labels(), dim);
    KnnIndex sourceIndex = AdaNpc.sourceIndex(source);
    AdaNpc.Config adanpc = AdaNpc.Config.defaults();
    Lame.Config lame = Lame.Config.defaults();
    AdaNpc.Entries full = new AdaNpc.Entries(rows(unit, count, dim, 0, adanpc.capacity()),
        new int[adanpc.capacity()], dim);
    List<Row> rows = new ArrayList<>();
    for (int b : batches) {
      float[] queries = rows(unit, count, dim, 7, b);
      double adanpcMs = median(warmup, iterations,
          () -> AdaNpc.search(sourceIndex, full, queries, b, adanpc.k()));
      rows.add(new Row("adanpc", "source memory + test entries at capacity, merged",
          count + adanpc.capacity(), b, adanpc.k(), adanpcMs));
      if (b >= 2) {
        double lameMs = median(warmup, iterations,
            () -> Lame.affinity(queries, b, dim, lame.k()));
        rows.add(new Row("lame", "kNN graph of the batch", b, b, lame.k(), lameMs));
      }
    }
    int held = Math.min(64, count / 2);
    int kept = count - held;
    float[] heldQueries = new float[held * dim];
    float[] keptRows = new float[kept * dim];
    for (int i = 0, q = 0, m = 0; i < count; i++) {
      boolean query = q < held && i % (count / held) == 0;
      System.arraycopy(unit, i * dim, query ? heldQueries : keptRows,
          (query ? q++ : m++) * dim, dim);
    }
    int lists = Math.max(1, (int) Math.round(Math.sqrt(kept)));
    int probes = Math.min(8, lists);
    Neighbours exact = new ExactKnn(keptRows, kept, dim)
        .search(heldQueries, held, adanpc.k());
    Neighbours ivf = new IvfKnn(keptRows, kept, dim, lists, probes, 0x5eedL)
        .search(heldQueries, held, adanpc.k());
    return new Result(count, dim, adanpc.capacity(),
        count <= AdaNpc.IVF_THRESHOLD ? "exact" : "ivf", lists, probes,
        KnnBenchmark.recall(ivf, exact), iterations, rows);
  }

  /** {@code n} rows of {@code m}, from row {@code from} on, wrapping around. */
  private static float[] rows(float[] m, int count, int dim, int from, int n) {
    float[] out = new float[n * dim];
    for (int i = 0; i < n; i++) {
      System.arraycopy(m, ((from + i) % count) * dim, out, i * dim, dim);
    }
    return out;
  }

  /** Read by nothing; keeps the searches' results alive so that none is optimized away. */
  private static volatile long sink;

  private static double median(int warmup, int iterations,
      java.util.function.Supplier<Neighbours> search) {
    double[] ms = new double[iterations];
    for (int i = -warmup; i < iterations; i++) {
      long t = System.nanoTime();
      Neighbours found = search.get();
      sink += found.index(0, 0);
      if (i >= 0) {
        ms[i] = (System.nanoTime() - t) / 1e6;
      }
    }
    Arrays.sort(ms);
    return iterations % 2 == 1 ? ms[iterations / 2]
        : (ms[iterations / 2 - 1] + ms[iterations / 2]) / 2;
  }
}
