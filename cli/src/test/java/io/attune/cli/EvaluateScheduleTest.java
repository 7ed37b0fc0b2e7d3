package io.attune.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.attune.adaptation.data.ArrayReader;
import io.attune.adaptation.data.ByteData;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code evaluate --schedule} and {@code --report}, as a user runs them. */
class EvaluateScheduleTest {

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
  void aScheduleIsStreamedFromTheSimulatorAndReportedAsJson() throws Exception {
    Path report = dir.resolve("run.json");

    assertThat(run("evaluate", "--bundle", bundle.toString(), "--method", "norm",
        "--schedule", "continual:fog:5,contrast:5+samples:100", "--batch", "64",
        "--report", report.toString())).isZero();

    assertThat(out.toString()).contains("norm on fmnist-resnet, batch 64, reset per-domain")
        .contains("stream   schedule continual:fog:5,contrast:5+samples:100")
        .contains("fog:5").contains("contrast:5").contains("report   " + report);
    JsonNode json = new ObjectMapper().readTree(Files.readString(report));
    assertThat(json.get("format").asText()).isEqualTo("attune-evaluate-report/1");
    assertThat(json.get("method").asText()).isEqualTo("norm");
    assertThat(json.get("bundle").asText()).isEqualTo(bundle.toString());
    assertThat(json.get("samples").asLong()).isEqualTo(200);
    assertThat(json.get("domains")).hasSize(2);
    JsonNode contrast = json.get("domains").get(1);
    assertThat(contrast.get("name").asText()).isEqualTo("contrast:5");
    assertThat(contrast.get("labelled").asLong()).isEqualTo(100);
    assertThat(contrast.get("error").asDouble())
        .isLessThan(contrast.get("sourceError").asDouble());
  }

  @Test
  void aMarkdownReportIsATable() throws Exception {
    Path report = dir.resolve("run.md");

    assertThat(run("evaluate", "--bundle", bundle.toString(), "--method", "source",
        "--schedule", "gaussian_noise:5+samples:64", "--report", report.toString())).isZero();

    assertThat(Files.readString(report)).contains("| gaussian_noise:5 | 64 |");
  }

  @Test
  void predictionsAreWrittenPerSampleAndScoreToTheReportedError() throws Exception {
    Path report = dir.resolve("predicted.json");
    Path predictions = dir.resolve("predicted.npy");

    assertThat(run("evaluate", "--bundle", bundle.toString(), "--method", "norm",
        "--schedule", "continual:fog:5,contrast:5+samples:100", "--batch", "64",
        "--report", report.toString(), "--predictions", predictions.toString())).isZero();

    long[] predicted = ArrayReader.loadLongs(predictions).data();
    ByteData labels = ArrayReader.loadBytes(Path.of(ReferenceBundleFixture.TEST_SPLIT[3]));
    assertThat(predicted).hasSize(200);
    int wrong = 0;
    for (int i = 0; i < predicted.length; i++) {
      assertThat(predicted[i]).isBetween(0L, 9L);
      // both domains replay the first 100 test images
      wrong += predicted[i] == labels.valueAt(i % 100) ? 0 : 1;
    }
    JsonNode json = new ObjectMapper().readTree(Files.readString(report));
    assertThat(wrong / 200.0).isCloseTo(json.get("error").asDouble(), within(1e-12));
    assertThat(out.toString()).contains("predictions " + predictions);
    assertThat(run("evaluate", "--predictions", "p.npy")).isEqualTo(2);
    assertThat(err.toString()).contains("--predictions needs --bundle");
  }

  @Test
  void badCombinationsAreOneLineErrors() {
    assertThat(run("evaluate", "--bundle", bundle.toString(), "--report", "x.txt")).isEqualTo(2);
    assertThat(err.toString()).contains("--report: report x.txt: the name must end in .md");
    assertThat(run("evaluate", "--schedule", "fog:5")).isEqualTo(2);
    assertThat(err.toString()).contains("--schedule needs --bundle");
    assertThat(run("evaluate", "--bundle", bundle.toString(), "--schedule", "fgo:5"))
        .isEqualTo(2);
    assertThat(err.toString()).contains("--schedule: ").contains("unknown corruption or schedule kind 'fgo'");
    assertThat(run("evaluate", "--bundle", bundle.toString(),
        "--schedule", "mixed:fog:5,contrast:5")).isEqualTo(2);
    assertThat(err.toString()).contains("cannot be reset per domain; reset never instead");
    assertThat(err.toString().strip().lines()).hasSize(4);
  }

  @Test
  void normWithAlphaOneMixesInOnlySourceStatisticsAndSoPredictsLikeTheSource() throws Exception {
    Path report = dir.resolve("norm-alpha1.json");

    assertThat(run("evaluate", "--bundle", bundle.toString(), "--method", "norm",
        "--hyper", "alpha=1", "--schedule", "gaussian_noise:5+samples:192",
        "--report", report.toString())).isZero();

    JsonNode json = new ObjectMapper().readTree(Files.readString(report));
    assertThat(json.get("error").asDouble()).isEqualTo(json.get("sourceError").asDouble());
    assertThat(json.get("error").asDouble()).isGreaterThan(0.3);
  }

  @Test
  void anUnknownHyperparameterIsAOneLineErrorListingTheKnownOnes() {
    assertThat(run("evaluate", "--bundle", bundle.toString(), "--method", "tent",
        "--hyper", "optimiser.lr=0.1", "--schedule", "fog:5+samples:64")).isEqualTo(2);

    assertThat(err.toString()).contains("--hyper: unknown hyperparameter optimiser.lr for "
        + "method tent; it has: ").contains("optimizer.lr");
    assertThat(err.toString().strip().lines()).hasSize(1);
  }
}
