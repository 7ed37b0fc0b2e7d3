package io.attune.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.attune.adaptation.data.ArrayReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SimulateCommandTest {

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    return Attune.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
  }

  @Test
  void exportWritesAStreamThatTheReadersReadBack(@TempDir Path dir) throws Exception {
    String root = System.getProperty("attune.root", "..");
    assertThat(run("simulate", "export", "--schedule", "continual:gaussian_noise:5,fog:3",
        "--limit", "100", "--out", dir.toString(),
        "--images", root + "/data/fashion-mnist/t10k-images-idx3-ubyte.gz",
        "--labels", root + "/data/fashion-mnist/t10k-labels-idx1-ubyte.gz")).isZero();

    try (ArrayReader images = ArrayReader.open(dir.resolve("images.idx.gz"));
        ArrayReader labels = ArrayReader.open(dir.resolve("labels.idx.gz"))) {
      assertThat(images.itemCount()).isEqualTo(100);
      assertThat(labels.itemCount()).isEqualTo(100);
    }
  }

  @Test
  void aBadScheduleIsOneLineAndExit2() {
    assertThat(run("simulate", "export", "--schedule", "bogus:9", "--out", "/tmp/never"))
        .isEqualTo(2);
    assertThat(err.toString().strip().lines()).hasSize(1);
    assertThat(err.toString()).contains("bogus");
  }
}
