package io.attune.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** bench-knn, and the feature methods' errors at the command line. */
class FeatureMethodsCommandTest {

  @TempDir
  Path dir;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    return Attune.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
  }

  @Test
  void benchKnnPrintsARowPerSizeWithAnExactIvfWhenEveryCellIsProbed() {
    assertThat(run("bench-knn", "--sizes", "64,400", "--dim", "16", "--queries", "8",
        "--probes", "64", "--warmup", "0", "--iterations", "2")).isZero();

    assertThat(out.toString()).contains("8 queries of dim 16, k 10, median of 2")
        .containsPattern("\\n\\s+64\\s+\\S+\\s+\\S+\\s+1\\.000\\s+\\S+\\s+8/8\\n")
        .containsPattern("\\n\\s+400\\s+\\S+\\s+\\S+\\s+1\\.000\\s+\\S+\\s+20/20\\n");
  }

  @Test
  void benchKnnRefusesNonPositiveSizesInOneLine() {
    assertThat(run("bench-knn", "--sizes", "64,0")).isEqualTo(2);
    assertThat(err.toString()).contains("--sizes, --batches, --dim, --queries, -k, --probes "
        + "and --iterations must be at least 1").hasLineCount(1);
  }

  @Test
  void benchKnnWritesItsOutputIntoADocThatSaysHowToMakeItAgain() throws Exception {
    Path doc = dir.resolve("docs/knn.md");

    assertThat(run("bench-knn", "--sizes", "64", "--dim", "16", "--queries", "8", "--warmup",
        "0", "--iterations", "1", "--out", doc.toString())).isZero();

    String md = java.nio.file.Files.readString(doc);
    assertThat(md).startsWith("# Nearest-neighbour search latency")
        .contains("./attune bench-knn --sizes 64 --out " + doc)
        .contains("8 queries of dim 16, k 10, median of 1").contains(out.toString());
  }

  @Test
  void benchKnnOnABundleWithoutSourceMemoryIsRefusedInOneLine() {
    Path bundle = ReferenceBundleFixture.prepare(dir);

    assertThat(run("bench-knn", "--bundle", bundle.toString())).isEqualTo(2);
    assertThat(err.toString()).contains("--bundle: ").contains("keeps no source memory")
        .contains("--source-memory").hasLineCount(1);
  }

  @Test
  void adanpcOnABundleWithoutSourceMemoryIsRefusedNamingTheOption() {
    Path bundle = ReferenceBundleFixture.prepare(dir);

    assertThat(run(ReferenceBundleFixture.withTestSplit("evaluate", "--bundle",
        bundle.toString(), "--method", "adanpc", "--batch", "64"))).isEqualTo(1);
    assertThat(err.toString()).contains("keeps no source memory, which adanpc needs")
        .contains("--source-memory").hasLineCount(1);
  }
}
