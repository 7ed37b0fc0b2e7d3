package io.attune.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code attune results} at a tiny size: the page, its checks and its chart. */
class ResultsCommandTest {

  @TempDir
  static Path dir;

  private static Path bundle;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  @BeforeAll
  static void prepare() {
    bundle = ReferenceBundleFixture.prepare(dir);
  }

  private int run(String... args) {
    return Attune.run(ReferenceBundleFixture.withTestSplit(args), new PrintWriter(out, true),
        new PrintWriter(err, true));
  }

  @Test
  void theCommandWritesThePageWithItsChecksAndTheChart() throws Exception {
    Path page = dir.resolve("docs/results.md");

    assertThat(run("results", "--bundle", bundle.toString(), "--out", page.toString(),
        "--samples", "10", "--batch1-samples", "2", "--clean-samples", "64",
        "--label-shift-samples", "0", "--mixed-samples", "0",
        "--methods", "source,norm,norm-ema", "--threads", "1")).isZero();

    String md = Files.readString(page);
    assertThat(md).contains("./attune results --bundle " + bundle + " --samples 10 "
            + "--batch1-samples 2 --clean-samples 64 --label-shift-samples 0 --mixed-samples 0 "
            + "--methods source,norm,norm-ema")
        .contains("cores").contains("fmnist-resnet")
        .contains("10 per corruption").contains("17 corruptions at severity 5")
        .contains("| SKIPPED | tent's mean error is at most norm's | tent was not run |")
        .contains("| shear:5 |").contains("![Mean error over the corruptions per method]"
            + "(results.png)");
    assertThat(dir.resolve("docs/results.png")).exists();
    assertThat(out.toString()).contains("SKIPPED").contains("took ")
        .contains("chart    " + dir.resolve("docs/results.png"));
    assertThat(err.toString()).contains("results 100%");
  }

  @Test
  void noChartWhenAskedAndBadValuesAreOneLine() throws Exception {
    Path page = dir.resolve("plain/results.md");

    assertThat(run("results", "--bundle", bundle.toString(), "--out", page.toString(),
        "--samples", "4", "--batch1-samples", "1", "--clean-samples", "8",
        "--label-shift-samples", "0", "--mixed-samples", "0", "--methods", "norm",
        "--no-chart")).isZero();
    assertThat(Files.readString(page)).doesNotContain("![");
    assertThat(dir.resolve("plain/results.png")).doesNotExist();

    assertThat(run("results", "--bundle", bundle.toString(), "--samples", "0")).isEqualTo(2);
    assertThat(err.toString()).contains("sample counts must be at least 1");
    assertThat(run("results", "--bundle", bundle.toString(), "--methods", "norm,bogus",
        "--out", dir.resolve("x.md").toString())).isEqualTo(1);
    assertThat(err.toString()).contains("attune results: unknown method 'bogus'");
  }

  @Test
  void aPageRegeneratedFromTheArchiveAloneSaysItsSpeedsWereMeasuredThen() throws Exception {
    Path page = dir.resolve("again/results.md");
    String[] args = {"results", "--bundle", bundle.toString(), "--out", page.toString(),
        "--samples", "4", "--batch1-samples", "1", "--clean-samples", "8",
        "--label-shift-samples", "0", "--mixed-samples", "0", "--methods", "source,t3a",
        "--no-chart", "--threads", "1"};
    assertThat(run(args)).isZero();
    String measured = Files.readString(page);

    String[] reuse = java.util.Arrays.copyOf(args, args.length + 1);
    reuse[args.length] = "--reuse";
    assertThat(run(reuse)).isZero();

    String regenerated = Files.readString(page);
    assertThat(measured).contains("one-minute load average").doesNotContain("taken over");
    assertThat(regenerated).contains("every run below was taken over from the archive, so its "
        + "speed is what the method got when it was measured")
        .doesNotContain("one-minute load average")
        .contains("| source | t3a |");
    // the same numbers, read back from the archive
    assertThat(regenerated.substring(regenerated.indexOf("## Per corruption")))
        .isEqualTo(measured.substring(measured.indexOf("## Per corruption")));
  }
}
