package io.attune.adaptation.method;

import io.attune.adaptation.method.knn.ExactKnn;
import io.attune.adaptation.method.knn.IvfKnn;
import io.attune.adaptation.method.knn.KnnIndex;
import io.attune.adaptation.method.knn.Neighbours;
import io.attune.adaptation.method.knn.Vectors;
import io.attune.adaptation.runtime.AdaptationStep;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * AdaNPC (Zhang et al., "AdaNPC: Exploring Non-Parametric Classifier for Test-Time Adaptation",
 * ICML 2023): the linear head is replaced by a k-nearest-neighbour vote over a memory of
 * labelled features, seeded with the bundle's source memory (source features and true
 * labels); each test sample is predicted from the memory as it was before its batch, then joins
 * it with its predicted label. As the official {@code MomentumQueue.forward}:
 * <pre>
 *   s_j = cos(z, m_j)  for the k most similar entries m_j (features L2-normalized)
 *   w_j = softmax_j(s_j / tau)
 *   score_c = sum_j w_j [label_j = c]
 * </pre>
 * Defaults: {@code k = 10}, {@code tau = 0.1} (the official KNN hyperparameters for small
 * images, {@code hparams_registry.py}, and its test-time temperature).
 *
 * <p>Deviations, each for a reason:
 * <ul>
 *   <li>Outputs are probabilities: {@code (score + 1e-5)} normalized to sum 1; the official
 *       returns {@code (score + 1e-5).clamp(max=1)} unnormalized. Same argmax.
 *   <li>Admission: a sample joins when its vote probability is at least {@code beta} (default 0:
 *       every sample). The official thresholds {@code softmax(score)}, whose maximum lies in
 *       {@code [1/C, e/(e+C-1)]}; its default {@code beta = 0.1} therefore admits every sample
 *       for 10 or more classes, which {@code beta = 0} reproduces.
 *   <li>Bounded capacity: the official memory grows without bound. Here at most
 *       {@code capacity} test entries are kept (default 1,000, with the reference model's 128
 *       floats a 512 KB state); when over, the oldest entry of the predicted class holding the
 *       most test entries is evicted, repeatedly (class-balanced FIFO: a long run of one class,
 *       as in a class-sorted stream, cannot push the other classes' entries out). Source entries
 *       are never evicted: they carry true labels and anchor the vote against drifting
 *       pseudo-labels.
 * </ul>
 *
 * <p>Search and vote are {@link KnnVote}'s, which an edge runs on the published memory too.
 * The test entries are searched exactly ({@link ExactKnn}); the source memory, fixed
 * per bundle, is searched exactly up to {@value #IVF_THRESHOLD} entries and through an
 * {@link IvfKnn} index built once ({@code sqrt(M)} lists, 8 probes) above, and the two top-k
 * merged.
 *
 * <p>State: the test entries only ({@code adanpc.features} {@code [T, dim]} normalized,
 * {@code adanpc.labels}), oldest first; the source part is the bundle's and is not copied into
 * every state. Outputs: the test entries as a {@link Outputs.Memory.Kind#KNN} memory (weights
 * 1) with {@code k}, {@code tau} and the digest of the source memory they extend
 * ({@link Outputs.Memory.Vote}), which an edge completes with its bundle's source memory. {@code adanpc+norm} computes the
 * features with test-time batch normalization underneath.
 */
public final class AdaNpc implements AdaptationMethod {

  static final String FEATURES = "adanpc.features";
  static final String LABELS = "adanpc.labels";
  static final String CHANGED = "adanpc.changed";
  /** Source memories larger than this are searched through an IVF index. */
  static final int IVF_THRESHOLD = 50_000;
  private static final double SCORE_EPS = 1e-5;

  /**
   * @param k neighbours voting, at least 1 (default 10)
   * @param temperature softmax temperature of the similarities, finite and above 0 (default 0.1)
   * @param beta vote probability a test sample needs to join the memory, in [0, 1] (default 0)
   * @param capacity test entries kept at most, at least 1 (default 1,000)
   */
  public record Config(int k, float temperature, float beta, int capacity) {
    public Config {
      new ConfigProblems("adanpc")
          .require(k >= 1, "k must be at least 1, got " + k)
          .require(Float.isFinite(temperature) && temperature > 0,
              "temperature must be finite and above 0, got " + temperature)
          .require(beta >= 0 && beta <= 1, "beta must be in [0, 1], got " + beta)
          .require(capacity >= 1, "capacity must be at least 1, got " + capacity)
          .throwIfAny();
    }

    public static Config defaults() {
      return new Config(10, 0.1f, 0f, 1000);
    }
  }

  /** A labelled memory of unit vectors, {@code [count, dim]}. */
  record Entries(float[] features, int[] labels, int dim) {
    int count() {
      return labels.length;
    }
  }

  private final AdaptationStep sessions;
  private final ParameterLayout layout;
  private final int classes;
  private final Config config;
  private final FeatureForward.Statistics statistics;
  private final KnnVote knn;

  AdaNpc(AdaptationStep sessions, ParameterLayout layout, int classes,
      BundleArrays.SourceMemory memory, Config config, FeatureForward.Statistics statistics) {
    this.sessions = sessions;
    this.layout = layout;
    this.classes = classes;
    this.config = config;
    this.statistics = statistics;
    this.knn = new KnnVote(memory, classes);
  }

  /** How the source memory is searched: exactly up to {@link #IVF_THRESHOLD}, else by IVF. */
  static KnnIndex sourceIndex(Entries source) {
    return source.count() <= IVF_THRESHOLD
        ? new ExactKnn(source.features(), source.count(), source.dim())
        : new IvfKnn(source.features(), source.count(), source.dim(),
            (int) Math.round(Math.sqrt(source.count())), 8, 0x5eedL);
  }

  @Override
  public String name() {
    return "adanpc" + FeatureForward.suffix(statistics);
  }

  @Override
  public MethodState initialState() {
    return withEntries(layout.sourceState(), new Entries(new float[0], new int[0], knn.dim()),
        0);
  }

  @Override
  public Step step(MethodState state, Batch batch) {
    int n = batch.size();
    FeatureForward.View view = FeatureForward.run(sessions, layout, state, batch, statistics);
    int dim = knn.dim();
    float[] z = Vectors.normalizeRows(view.features(), n, dim);
    Entries test = entries(state);
    float[] p = knn.vote(z, n, test, config.k(), config.temperature());
    int[] predicted = new int[n];
    boolean[] admitted = new boolean[n];
    int used = 0;
    for (int i = 0; i < n; i++) {
      predicted[i] = MemoryRows.argmax(p, i * classes, classes);
      admitted[i] = p[i * classes + predicted[i]] >= config.beta();
      used += admitted[i] ? 1 : 0;
    }
    Entries after = evict(append(test, z, predicted, admitted), classes, config.capacity());
    long version = state.version() + 1;
    long changedAt = used > 0 || state.version() == 0 ? version
        : MemoryRows.version(state.extra(CHANGED));
    MethodState next = withEntries(new MethodState(version, state.affine(), view.means(),
        view.vars(), state.optimizer(), Map.of()), after, changedAt);
    float[] ones = new float[after.count()];
    Arrays.fill(ones, 1f);
    return new Step(next, new Outputs(p, classes, version, view.parameters(),
        new Outputs.Diagnostics(n, used, Lame.meanEntropy(p, n), false, view.batchStatistics()),
        Optional.of(new Outputs.Memory(Outputs.Memory.Kind.KNN, dim, after.features(),
            after.labels(), ones, changedAt, Optional.of(new Outputs.Memory.Vote(config.k(),
                config.temperature(), knn.sourceMemorySha256()))))));
  }

  /**
   * One step's search: the {@code k} nearest of each of the {@code n} unit queries {@code z}
   * over the source memory's index then the test entries (searched exactly), merged.
   */
  static Neighbours search(KnnIndex sourceIndex, Entries test, float[] z, int n, int k) {
    Neighbours fromSource = sourceIndex.search(z, n, k);
    Neighbours fromTest = new ExactKnn(test.features(), test.count(), test.dim())
        .search(z, n, k);
    return Neighbours.merge(fromSource, fromTest, sourceIndex.size(), k);
  }

  /**
   * The neighbours' vote: {@code (score_c + 1e-5)} normalized, with
   * {@code score_c = sum_j softmax_j(s_j / tau) [label_j = c]}.
   *
   * @param nb neighbours of each query in the union of {@code first} then {@code second}
   * @return {@code [queries, classes]}
   */
  static float[] vote(Neighbours nb, Entries first, Entries second, int classes,
      float temperature) {
    float[] out = new float[nb.queries() * classes];
    double[] score = new double[classes];
    for (int q = 0; q < nb.queries(); q++) {
      Arrays.fill(score, 0);
      double max = Double.NEGATIVE_INFINITY;
      for (int j = 0; j < nb.k(); j++) {
        if (nb.index(q, j) >= 0) {
          max = Math.max(max, nb.similarity(q, j) / (double) temperature);
        }
      }
      double total = 0;
      for (int j = 0; j < nb.k(); j++) {
        int idx = nb.index(q, j);
        if (idx < 0) {
          continue;
        }
        double w = Math.exp(nb.similarity(q, j) / (double) temperature - max);
        int label = idx < first.count() ? first.labels()[idx]
            : second.labels()[idx - first.count()];
        score[label] += w;
        total += w;
      }
      double norm = 0;
      for (int c = 0; c < classes; c++) {
        score[c] = (total > 0 ? score[c] / total : 0) + SCORE_EPS;
        norm += score[c];
      }
      for (int c = 0; c < classes; c++) {
        out[q * classes + c] = (float) (score[c] / norm);
      }
    }
    return out;
  }

  private static Entries append(Entries test, float[] z, int[] predicted, boolean[] admitted) {
    int dim = test.dim();
    int added = 0;
    for (boolean a : admitted) {
      added += a ? 1 : 0;
    }
    float[] f = Arrays.copyOf(test.features(), (test.count() + added) * dim);
    int[] y = Arrays.copyOf(test.labels(), test.count() + added);
    int at = test.count();
    for (int i = 0; i < admitted.length; i++) {
      if (admitted[i]) {
        System.arraycopy(z, i * dim, f, at * dim, dim);
        y[at++] = predicted[i];
      }
    }
    return new Entries(f, y, dim);
  }

  /**
   * Class-balanced FIFO: while more than {@code capacity} entries, drop the oldest entry of the
   * class with the most entries (the lowest such class on ties). Entries are oldest first.
   */
  static Entries evict(Entries e, int classes, int capacity) {
    int excess = e.count() - capacity;
    if (excess <= 0) {
      return e;
    }
    int[] perClass = new int[classes];
    for (int label : e.labels()) {
      perClass[label]++;
    }
    int[] drop = new int[classes];
    for (int r = 0; r < excess; r++) {
      int fullest = 0;
      for (int c = 1; c < classes; c++) {
        if (perClass[c] > perClass[fullest]) {
          fullest = c;
        }
      }
      perClass[fullest]--;
      drop[fullest]++;
    }
    int[] keep = new int[capacity];
    int kept = 0;
    for (int i = 0; i < e.count(); i++) {
      int label = e.labels()[i];
      if (drop[label] > 0) {
        drop[label]--;
      } else {
        keep[kept++] = i;
      }
    }
    int[] labels = new int[capacity];
    for (int i = 0; i < capacity; i++) {
      labels[i] = e.labels()[keep[i]];
    }
    return new Entries(MemoryRows.rows(e.features(), e.dim(), keep), labels, e.dim());
  }

  private Entries entries(MethodState state) {
    return new Entries(state.extra(FEATURES), MemoryRows.labels(state.extra(LABELS)),
        knn.dim());
  }

  private static MethodState withEntries(MethodState base, Entries e, long changedAt) {
    Map<String, float[]> extras = new HashMap<>(base.extras());
    extras.put(FEATURES, e.features());
    extras.put(LABELS, MemoryRows.labelsAsFloats(e.labels()));
    extras.put(CHANGED, MemoryRows.version(changedAt));
    return new MethodState(base.version(), base.affine(), base.means(), base.vars(),
        base.optimizer(), extras);
  }
}
