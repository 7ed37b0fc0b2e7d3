package io.attune.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** evaluate-drift on the reference model, as a user runs it. */
class EvaluateDriftCommandTest {

  private static final Path ROOT = Path.of(System.getProperty("attune.root", ".."));
  private static final Path MODELS = ROOT.resolve("models/fmnist-resnet");
  private static final Path DATA = ROOT.resolve("data/fashion-mnist");

  @TempDir
  static Path dir;

  private static Path bundle;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    return Attune.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
  }

  @BeforeAll
  static void prepareReferenceBundle() {
    bundle = dir.resolve("bundle");
    int code = Attune.run(new String[] {"prepare", MODELS.resolve("model.onnx").toString(),
        "--source-memory", MODELS.resolve("source-memory/features.npy").toString(),
        MODELS.resolve("source-memory/labels.npy").toString(), "--source-images",
        MODELS.resolve("source-memory/images.npy").toString(), "--out", bundle.toString()},
        new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()));
    assertThat(code).isZero();
  }

  @Test
  void aShiftAfterTheWarmupIsReportedWithItsDelayFalseAlarmsAndEstimates() throws Exception {
    Path report = dir.resolve("drift.md");
    Path trace = dir.resolve("trace.csv");

    int code = run("evaluate-drift", "--bundle", bundle.toString(), "--method", "norm",
        "--images", DATA.resolve("t10k-images-idx3-ubyte.gz").toString(),
        "--labels", DATA.resolve("t10k-labels-idx1-ubyte.gz").toString(),
        "--schedule", "clean+samples:1280+shuffle",
        "--schedule", "continual:gaussian_noise:5,clean+samples:384+shuffle",
        "--report", report.toString(), "--trace", trace.toString(), "--threads", "1");

    assertThat(code).as(err.toString()).isZero();
    assertThat(out.toString())
        .contains("## norm on fmnist-resnet, batch 64")
        .contains("--schedule 'continual:gaussian_noise:5,clean+shuffle+samples:384'")
        .contains("abrupt shifts of severity >= 3 detected within 3 batches: **1 of 1**")
        .contains("false alarms on clean data: **0** in 6 clean batches")
        .contains("| gaussian_noise:5 | 6 | 2 |")
        .contains("RAISED data drift: statistics divergence rose to");
    assertThat(Files.readString(report)).isEqualTo(out.toString());
    List<String> rows = Files.readAllLines(trace);
    assertThat(rows).hasSize(1 + 32);
    assertThat(rows.get(0)).startsWith("batch,domain,samples,");
    assertThat(rows.get(21)).startsWith("20,gaussian_noise:5,64,");
  }

  @Test
  void aBadScheduleIsOneLineNamingTheOption() {
    int code = run("evaluate-drift", "--bundle", bundle.toString(), "--schedule", "fgo:5");

    assertThat(code).isNotZero();
    assertThat(err.toString()).contains("--schedule").contains("fgo");
  }

  @Test
  void anUnknownMethodNamesTheKnownOnes() {
    int code = run("evaluate-drift", "--bundle", bundle.toString(), "--schedule", "clean",
        "--method", "tnet");

    assertThat(code).isNotZero();
    assertThat(err.toString()).contains("unknown method 'tnet'").contains("tent");
  }
}
