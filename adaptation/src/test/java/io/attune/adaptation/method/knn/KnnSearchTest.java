package io.attune.adaptation.method.knn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class KnnSearchTest {

  /** Four unit vectors in the plane: (1,0), (0.6,0.8), (0,1), (-1,0). */
  private static final float[] MEMORY = {1, 0, 0.6f, 0.8f, 0, 1, -1, 0};

  @Test
  void exactSearchListsTheMostSimilarEntriesNearestFirst() {
    ExactKnn index = new ExactKnn(MEMORY, 4, 2);

    // query (0.8, 0.6): cosines 0.8, 0.96, 0.6, -0.8
    Neighbours nb = index.search(new float[] {0.8f, 0.6f}, 1, 3);

    assertThat(nb.indices()).containsExactly(1, 0, 2);
    assertThat(nb.similarity(0, 0)).isCloseTo(0.96f, within(1e-6f));
    assertThat(nb.similarity(0, 1)).isCloseTo(0.8f, within(1e-6f));
    assertThat(nb.similarity(0, 2)).isCloseTo(0.6f, within(1e-6f));
  }

  @Test
  void equalSimilaritiesGoToTheLowerIndexAndKIsCappedBySize() {
    float[] twins = {0, 1, 1, 0, 1, 0};
    Neighbours nb = new ExactKnn(twins, 3, 2).search(new float[] {1, 0}, 1, 5);

    assertThat(nb.k()).isEqualTo(3);
    assertThat(nb.indices()).containsExactly(1, 2, 0);
  }

  @Test
  void aKnnGraphNeverListsAnEntryAsItsOwnNeighbour() {
    Neighbours graph = new ExactKnn(MEMORY, 4, 2).searchSelf(1);

    // (1,0) -> (0.6,0.8) [cos 0.6]; (0.6,0.8) -> (0,1) [0.8 beats 0.6];
    // (0,1) -> (0.6,0.8) [0.8]; (-1,0) -> (0,1) [0 beats -0.6 and -1]
    assertThat(graph.indices()).containsExactly(1, 2, 1, 2);
  }

  @Test
  void mergingSearchesOfTwoHalvesEqualsSearchingTheWhole() {
    float[] first = {1, 0, 0.6f, 0.8f};
    float[] second = {0, 1, -1, 0};
    float[] queries = {0.8f, 0.6f, -0.6f, 0.8f};

    Neighbours merged = Neighbours.merge(new ExactKnn(first, 2, 2).search(queries, 2, 3),
        new ExactKnn(second, 2, 2).search(queries, 2, 3), 2, 3);

    assertThat(merged).isEqualTo(new ExactKnn(MEMORY, 4, 2).search(queries, 2, 3));
  }

  @Test
  void ivfProbingEveryListIsExactAndProbingFewKeepsMostNeighbours() {
    int n = 3000;
    int dim = 16;
    float[] memory = clustered(n, dim, 1);
    float[] queries = clustered(200, dim, 2);
    Neighbours exact = new ExactKnn(memory, n, dim).search(queries, 200, 10);

    Neighbours all = new IvfKnn(memory, n, dim, 20, 20, 7).search(queries, 200, 10);
    Neighbours few = new IvfKnn(memory, n, dim, 20, 4, 7).search(queries, 200, 10);

    assertThat(all).isEqualTo(exact);
    double recall = recall(few, exact);
    assertThat(recall).as("recall@10 probing 4 of 20 lists").isGreaterThan(0.9).isLessThan(1.0);
  }

  @Test
  void rowsAreNormalizedToUnitLengthAndZeroRowsStayZero() {
    float[] unit = Vectors.normalizeRows(new float[] {3, 4, 0, 0}, 2, 2);

    assertThat(unit).containsExactly(new float[] {0.6f, 0.8f, 0, 0}, within(1e-7f));
  }

  static double recall(Neighbours approx, Neighbours exact) {
    int hit = 0;
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
    return hit / (double) (exact.queries() * exact.k());
  }

  static float[] clustered(int n, int dim, long seed) {
    return KnnBenchmark.clustered(n, dim, seed);
  }
}
