package io.attune.adaptation.method;

import io.attune.adaptation.bundle.BundleManifest;
import io.attune.adaptation.bundle.ModelBundle;
import io.attune.adaptation.method.knn.KnnIndex;
import io.attune.adaptation.method.knn.Vectors;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * AdaNPC's kNN vote over a bundle's source memory and a list of test entries, as one object that
 * the worker's {@link AdaNpc} predicts with and that an edge predicts with from a published
 * {@code KNN} memory: the same search (the source memory's index, the test entries exactly,
 * merged) and the same weighting ({@link AdaNpc}'s class documentation), so the two agree.
 *
 * <p>The source memory is named by {@link #sourceMemorySha256()}: the SHA-256 of
 * {@code i32 count, i32 dim}, the {@code count x dim} features as {@code f32} row-major as the
 * bundle stores them (before normalization), and the {@code count} labels as {@code i32}, all
 * big-endian; content, not files, so two bundles prepared from the same source memory agree.
 *
 * <p>Immutable and thread-safe: the index is built once, a vote allocates its own buffers.
 */
public final class KnnVote {

  private final AdaNpc.Entries source;
  private final KnnIndex sourceIndex;
  private final int classes;
  private final String sourceMemorySha256;

  KnnVote(BundleArrays.SourceMemory memory, int classes) {
    this.source = new AdaNpc.Entries(Vectors.normalizeRows(memory.features(), memory.count(),
        memory.dim()), memory.labels(), memory.dim());
    this.sourceIndex = AdaNpc.sourceIndex(source);
    this.classes = classes;
    this.sourceMemorySha256 = sha256(memory);
  }

  /**
   * The vote over {@code bundle}'s source memory.
   *
   * @throws io.attune.adaptation.model.InvalidModelException if the bundle keeps no source memory
   *     or its files do not fit the head
   */
  public static KnnVote open(ModelBundle bundle) {
    return new KnnVote(BundleArrays.sourceMemory(bundle, "a kNN vote"),
        bundle.manifest().head().classes());
  }

  /** Whether {@code bundle}'s manifest lists a source memory that {@link #open} can load. */
  public static boolean available(ModelBundle bundle) {
    BundleManifest.SourceMemory m = bundle.manifest().sourceMemory();
    return m != null && m.featuresFile() != null && m.labelsFile() != null && m.samples() > 0;
  }

  /** 64 lower-case hex digits naming the source memory (see the class documentation). */
  public String sourceMemorySha256() {
    return sourceMemorySha256;
  }

  /** Feature dimension of the source memory and of every entry and query. */
  public int dim() {
    return source.dim();
  }

  /** Number of source entries. */
  public int sourceEntries() {
    return source.count();
  }

  /**
   * Class probabilities of {@code n} feature vectors, as {@link AdaNpc} predicts them with a
   * memory of the source entries followed by {@code testEntries}.
   *
   * @param features {@code [n, dim]} penultimate features, any length (they are normalized)
   * @param testEntries {@code [T, dim]} unit vectors, as AdaNPC keeps and publishes them
   * @param testLabels {@code [T]}, each in {@code [0, classes)}
   * @param k neighbours voting, at least 1
   * @param temperature softmax temperature, above 0
   * @return {@code [n, classes]}, each row summing to 1
   */
  public float[] probabilities(float[] features, int n, float[] testEntries, int[] testLabels,
      int k, float temperature) {
    if (features.length != n * dim() || testEntries.length != testLabels.length * dim()) {
      throw new IllegalArgumentException(features.length + " feature values for " + n
          + " queries and " + testEntries.length + " for " + testLabels.length
          + " test entries, expected dim " + dim());
    }
    return vote(Vectors.normalizeRows(features, n, dim()), n,
        new AdaNpc.Entries(testEntries, testLabels, dim()), k, temperature);
  }

  /** The vote of {@code n} unit queries {@code z} over the source then {@code test} entries. */
  float[] vote(float[] z, int n, AdaNpc.Entries test, int k, float temperature) {
    return AdaNpc.vote(AdaNpc.search(sourceIndex, test, z, n, k), source, test, classes,
        temperature);
  }

  private static String sha256(BundleArrays.SourceMemory memory) {
    ByteBuffer bytes = ByteBuffer.allocate(8 + 4 * (memory.features().length + memory.count()))
        .putInt(memory.count()).putInt(memory.dim());
    bytes.asFloatBuffer().put(memory.features());
    bytes.position(bytes.position() + 4 * memory.features().length);
    bytes.asIntBuffer().put(memory.labels());
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(
          bytes.array()));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }
}
