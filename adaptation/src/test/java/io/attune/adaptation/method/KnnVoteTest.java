package io.attune.adaptation.method;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.attune.adaptation.ReferenceModel;
import io.attune.adaptation.bundle.ModelBundle;
import io.attune.adaptation.model.InvalidModelException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The kNN vote an edge shares with AdaNPC, and the digest that names its source memory. */
class KnnVoteTest {

  /**
   * The reference source memory's digest as NumPy computes it from
   * {@code models/fmnist-resnet/source-memory/{features,labels}.npy} with the snippet of
   * docs/schemas.md ("The source memory digest"): {@code hashlib.sha256(np.array(f.shape,
   * ">i4").tobytes() + f.astype(">f4").tobytes() + y.astype(">i4").tobytes()).hexdigest()}.
   */
  private static final String NUMPY_DIGEST =
      "0182cd18cb724192ae667ec35f99d9ee54d9bbb5340c192d2b55f0eaad0d3c62";

  @TempDir
  Path dir;

  @Test
  void theSourceMemoryDigestIsTheDocumentedSha256OfItsContent() {
    ModelBundle bundle = ReferenceModel.prepareMonitoredBundle(dir.resolve("bundle"));

    KnnVote vote = KnnVote.open(bundle);

    assertThat(KnnVote.available(bundle)).isTrue();
    assertThat(vote.sourceEntries()).isEqualTo(2000);
    assertThat(vote.sourceMemorySha256()).isEqualTo(NUMPY_DIGEST);
  }

  @Test
  void aVoteOverTheSourceMemoryAloneFollowsTheNearestSourceEntries() {
    ModelBundle bundle = ReferenceModel.prepareMonitoredBundle(dir.resolve("bundle"));
    KnnVote vote = KnnVote.open(bundle);
    BundleArrays.SourceMemory memory = BundleArrays.sourceMemory(bundle, "test");
    int dim = vote.dim();
    float[] queries = java.util.Arrays.copyOf(memory.features(), 3 * dim);

    // k = 1: each source entry's own label, with all the weight but the 1e-5 floor
    float[] p = vote.probabilities(queries, 3, new float[0], new int[0], 1, 0.1f);

    for (int i = 0; i < 3; i++) {
      assertThat(p[i * 10 + memory.labels()[i]]).isCloseTo(1f - 9e-5f,
          org.assertj.core.data.Offset.offset(1e-6f));
    }
  }

  @Test
  void aBundleWithoutSourceMemoryHasNoVote() {
    ModelBundle bundle = ReferenceModel.sharedBundle();

    assertThat(KnnVote.available(bundle)).isFalse();
    assertThatThrownBy(() -> KnnVote.open(bundle)).isInstanceOf(InvalidModelException.class)
        .hasMessageContaining("keeps no source memory");
  }
}
