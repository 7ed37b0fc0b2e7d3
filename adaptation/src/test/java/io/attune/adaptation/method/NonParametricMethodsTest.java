package io.attune.adaptation.method;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.attune.adaptation.method.knn.ExactKnn;
import io.attune.adaptation.method.knn.Neighbours;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** LAME's solution, AdaNPC's vote and memory, T3A's supports: on hand-made features. */
class NonParametricMethodsTest {

  /** Unit vectors (1,0), (0.6,0.8), (0,1), (-1,0) labelled 0, 1, 1, 2. */
  private static final AdaNpc.Entries MEMORY = new AdaNpc.Entries(
      new float[] {1, 0, 0.6f, 0.8f, 0, 1, -1, 0}, new int[] {0, 1, 1, 2}, 2);

  @Test
  void adanpcVotesBySoftmaxOfTheNeighboursSimilaritiesOverTemperature() {
    // query (0.8, 0.6): cosines 0.8, 0.96, 0.6, -0.8; k = 2 keeps (0.6,0.8) and (1,0)
    Neighbours nb = new ExactKnn(MEMORY.features(), 4, 2).search(new float[] {0.8f, 0.6f}, 1, 2);

    float[] p = AdaNpc.vote(nb, MEMORY, empty(), 3, 0.1f);

    // weights softmax(0.96/0.1, 0.8/0.1): label 1 gets 1/(1+e^-1.6), label 0 the rest
    double w1 = 1 / (1 + Math.exp(-1.6));
    double norm = 1 + 3e-5;
    assertThat(p).containsExactly(new float[] {(float) ((1 - w1 + 1e-5) / norm),
        (float) ((w1 + 1e-5) / norm), (float) (1e-5 / norm)}, within(1e-6f));
    assertThat(w1).isCloseTo(0.832018, within(1e-6));
  }

  @Test
  void adanpcVotesOverSourceAndTestEntriesAsOneMemory() {
    AdaNpc.Entries source = new AdaNpc.Entries(new float[] {1, 0, 0.6f, 0.8f}, new int[] {0, 1},
        2);
    AdaNpc.Entries test = new AdaNpc.Entries(new float[] {0, 1, -1, 0}, new int[] {1, 2}, 2);
    float[] q = {-0.6f, 0.8f};
    Neighbours merged = Neighbours.merge(new ExactKnn(source.features(), 2, 2).search(q, 1, 3),
        new ExactKnn(test.features(), 2, 2).search(q, 1, 3), 2, 3);

    float[] p = AdaNpc.vote(merged, source, test, 3, 0.5f);

    // cosines: (0,1) 0.8 [label 1], (0.6,0.8) 0.28 [label 1], (-1,0) 0.6 [label 2]
    double e1 = Math.exp(0.8 / 0.5) + Math.exp(0.28 / 0.5);
    double e2 = Math.exp(0.6 / 0.5);
    double norm = 1 + 3e-5;
    assertThat(p).containsExactly(new float[] {(float) (1e-5 / norm),
        (float) ((e1 / (e1 + e2) + 1e-5) / norm), (float) ((e2 / (e1 + e2) + 1e-5) / norm)},
        within(1e-6f));
  }

  @Test
  void adanpcEvictsTheOldestEntriesOfTheFullestClassFirst() {
    // labels 0 0 1 0 2 1, capacity 4: class 0 holds 3 -> drop its oldest; then 0 and 1 tie at
    // 2 -> the lower class, 0, loses its next oldest
    AdaNpc.Entries e = new AdaNpc.Entries(new float[] {0, 1, 2, 3, 4, 5},
        new int[] {0, 0, 1, 0, 2, 1}, 1);

    AdaNpc.Entries kept = AdaNpc.evict(e, 3, 4);

    assertThat(kept.labels()).containsExactly(1, 0, 2, 1);
    assertThat(kept.features()).containsExactly(2, 3, 4, 5);
  }

  @Test
  void adanpcMemoryStaysWithinCapacityAndBalancedOverALongClassSortedStream() {
    AdaNpc.Entries memory = new AdaNpc.Entries(new float[0], new int[0], 1);
    for (int c = 0; c < 10; c++) {
      for (int b = 0; b < 50; b++) {
        float[] f = new float[20];
        int[] y = new int[20];
        Arrays.fill(f, c * 1000 + b);
        Arrays.fill(y, c);
        memory = AdaNpc.evict(new AdaNpc.Entries(concat(memory.features(), f),
            concat(memory.labels(), y), 1), 10, 100);
        assertThat(memory.count()).isLessThanOrEqualTo(100);
      }
    }
    int[] perClass = new int[10];
    Arrays.stream(memory.labels()).forEach(l -> perClass[l]++);
    assertThat(perClass).containsOnly(10);
    // class 9 came last and keeps its newest ten entries (batch 49's); class 0 its first
    // class-sorted run would have evicted it entirely under a plain FIFO
    assertThat(memory.features()[memory.count() - 1]).isEqualTo(9049f);
  }

  @Test
  void lameAffinityLinksEachSampleToItsNearestOtherSample() {
    float[] features = {1, 0, 0.8f, 0.6f, 0, 1, -0.6f, 0.8f};

    Neighbours graph = Lame.affinity(features, 4, 2, 1);

    // a-b (cos 0.8) and c-d (cos 0.8) are mutual nearest neighbours
    assertThat(graph.indices()).containsExactly(1, 0, 3, 2);
  }

  @Test
  void lameRbfAffinityIsAGaussianOfTheDistancesScaledByTheMeanKthNearestDistance() {
    float[] features = {1, 0, 0.8f, 0.6f, 0, 1};

    float[] w = Lame.rbfAffinity(features, 3, 2, 2);

    // squared distances ab 0.4, ac 2, bc 0.8; the 2nd smallest of each row (self at 0
    // included): sqrt(0.4), sqrt(0.4), sqrt(0.8), so sigma = 0.719779 and 2 sigma^2 = 1.036165;
    // W_ab = exp(-0.4 / 1.036165) = 0.679744, W_ac = exp(-2 / 1.036165) = 0.145120,
    // W_bc = exp(-0.8 / 1.036165) = 0.462052, W_ii = 1
    assertThat(w).containsExactly(new float[] {1, 0.679744f, 0.145120f, 0.679744f, 1,
        0.462052f, 0.145120f, 0.462052f, 1}, within(1e-6f));
  }

  @Test
  void lameWithADenseAffinityWeighsEachNeighboursAssignmentsByItsAffinity() {
    float[] p = {0.9f, 0.1f, 0.3f, 0.7f};
    float[] kernel = {0, 0.5f, 0.25f, 0};

    Lame.Solution one = Lame.solve(p, kernel, 2,
        new Lame.Config(1, 1f, 1, 1e-8, Lame.Affinity.RBF));

    // y_a = softmax(log p_a + 0.5 p_b), y_b = softmax(log p_b + 0.25 p_a)
    double a0 = 0.9 * Math.exp(0.5 * 0.3);
    double a1 = 0.1 * Math.exp(0.5 * 0.7);
    double b0 = 0.3 * Math.exp(0.25 * 0.9);
    double b1 = 0.7 * Math.exp(0.25 * 0.1);
    assertThat(one.assignments()).containsExactly(new float[] {(float) (a0 / (a0 + a1)),
        (float) (a1 / (a0 + a1)), (float) (b0 / (b0 + b1)), (float) (b1 / (b0 + b1))},
        within(1e-6f));
  }

  @Test
  void lameOneBoundStepIsTheSoftmaxOfLogProbabilitiesPlusTheNeighboursProbabilities() {
    float[] p = {0.9f, 0.1f, 0.3f, 0.7f};
    Neighbours pair = new Neighbours(2, 1, new int[] {1, 0}, new float[] {1, 1});

    Lame.Solution one = Lame.solve(p, pair, 2,
        new Lame.Config(1, 1f, 1, 1e-8, Lame.Affinity.KNN));

    double a0 = 0.9 * Math.exp(0.3);
    double a1 = 0.1 * Math.exp(0.7);
    double b0 = 0.3 * Math.exp(0.9);
    double b1 = 0.7 * Math.exp(0.1);
    assertThat(one.assignments()).containsExactly(new float[] {(float) (a0 / (a0 + a1)),
        (float) (a1 / (a0 + a1)), (float) (b0 / (b0 + b1)), (float) (b1 / (b0 + b1))},
        within(1e-6f));
    assertThat(one.iterations()).isEqualTo(1);
  }

  @Test
  void lameConvergesToTheFixedPointOfTheBoundUpdates() {
    float[] p = {0.9f, 0.1f, 0.3f, 0.7f};
    Neighbours pair = new Neighbours(2, 1, new int[] {1, 0}, new float[] {1, 1});

    Lame.Solution s = Lame.solve(p, pair, 2, Lame.Config.defaults());

    // the fixed point y_a = softmax(log p_a + y_b), y_b = softmax(log p_b + y_a), solved by
    // iterating to machine precision (numpy, 200 iterations)
    float[] y = s.assignments();
    assertThat(y).containsExactly(new float[] {0.89763478f, 0.10236522f, 0.48699586f,
        0.51300414f}, within(2e-6f));
    double a0 = 0.9 * Math.exp(y[2]);
    double a1 = 0.1 * Math.exp(y[3]);
    assertThat(y[0]).isCloseTo((float) (a0 / (a0 + a1)), within(2e-6f));
    assertThat(s.iterations()).isLessThan(100);
  }

  @Test
  void lameLeavesAnIsolatedSampleAlone() {
    float[] p = {0.6f, 0.4f};
    Neighbours none = new Neighbours(1, 0, new int[0], new float[0]);

    assertThat(Lame.solve(p, none, 2, Lame.Config.defaults()).assignments())
        .containsExactly(new float[] {0.6f, 0.4f}, within(1e-7f));
  }

  @Test
  void t3aKeepsTheLowestEntropySupportsPerClassAndTheOlderOnTies() {
    T3a.Supports s = new T3a.Supports(new float[] {2, 0, 1, 1, 0, 3, 0, 1},
        new int[] {0, 0, 1, 1}, new float[] {0.5f, 0.1f, 0.2f, 0.2f});

    T3a.Supports kept = T3a.filter(s, 2, 1, 2);

    assertThat(kept.features()).containsExactly(1, 1, 0, 3);
    assertThat(kept.labels()).containsExactly(0, 1);
  }

  @Test
  void t3aPrototypeIsTheNormalizedSumOfNormalizedSupports() {
    T3a.Supports s = new T3a.Supports(new float[] {1, 0, 1, 1, 0, 3}, new int[] {0, 0, 1},
        new float[] {0.3f, 0.1f, 0.2f});

    float[] prototypes = T3a.prototypes(s, 3, 2);

    // class 0: (1,0) + (1,1)/sqrt2 points at 22.5 degrees; class 1: (0,1); class 2: none
    assertThat(prototypes).containsExactly(new float[] {(float) Math.cos(Math.PI / 8),
        (float) Math.sin(Math.PI / 8), 0, 1, 0, 0}, within(1e-6f));
  }

  @Test
  void hyperparametersAreValidatedWithEveryProblemNamed() {
    assertThatThrownBy(() -> new Lame.Config(0, -1f, 0, Double.NaN, null))
        .hasMessageContaining("lame").hasMessageContaining("k must be at least 1, got 0")
        .hasMessageContaining("boundLambda").hasMessageContaining("maxSteps")
        .hasMessageContaining("tolerance").hasMessageContaining("affinity is missing");
    assertThatThrownBy(() -> new AdaNpc.Config(0, 0f, 1.5f, 0))
        .hasMessageContaining("adanpc").hasMessageContaining("k must be")
        .hasMessageContaining("temperature must be finite and above 0, got 0.0")
        .hasMessageContaining("beta must be in [0, 1], got 1.5")
        .hasMessageContaining("capacity must be at least 1, got 0");
    assertThatThrownBy(() -> new T3a.Config(0, -1))
        .hasMessageContaining("t3a: filterK must be at least 1, got 0")
        .hasMessageContaining("maxAge must be at least 0, got -1");
    assertThat(new AdaNpc.Config(10, 0.1f, 0f, 1000)).isEqualTo(AdaNpc.Config.defaults());
    assertThat(Lame.Config.defaults().k()).isEqualTo(5);
    assertThat(T3a.Config.defaults().filterK()).isEqualTo(100);
  }

  @Test
  void aVersionSurvivesTheFloatStorageExactly() {
    long v = 123_456_789_012L + new Random(3).nextInt(1000);
    assertThat(MemoryRows.version(MemoryRows.version(v))).isEqualTo(v);
  }

  private static AdaNpc.Entries empty() {
    return new AdaNpc.Entries(new float[0], new int[0], 2);
  }

  private static float[] concat(float[] a, float[] b) {
    return MemoryRows.concat(a, b);
  }

  private static int[] concat(int[] a, int[] b) {
    int[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
