package io.attune.adaptation.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunReportTest {

  /** Two domains: 10 samples at 30% source / 10% adapted error, 10 at 50% / 20%. */
  static StreamEvaluation.Result result() {
    return new StreamEvaluation.Result("tent", List.of(
        new StreamEvaluation.DomainScore(0, matrix(1), matrix(3), 9),
        new StreamEvaluation.DomainScore(1, matrix(2), matrix(5), 6)), 20, 0.5);
  }

  /** Ten samples of class 0, {@code wrong} of them predicted as 1. */
  private static ConfusionMatrix matrix(int wrong) {
    ConfusionMatrix m = new ConfusionMatrix(2);
    for (int i = 0; i < 10; i++) {
      m.add(0, i < wrong ? 1 : 0);
    }
    return m;
  }

  private static RunReport report() {
    return RunReport.of(result(), "tent", "fmnist-resnet", "/tmp/bundle", 64,
        StreamEvaluation.Reset.PER_DOMAIN, "schedule continual:fog:5,contrast:5 (seed 0)",
        d -> d == 0 ? "fog:5" : "contrast:5");
  }

  @Test
  void theReportCarriesTheRunPerDomainWithTheSourceBeside() {
    RunReport r = report();

    assertThat(r.domains()).extracting(RunReport.DomainReport::name)
        .containsExactly("fog:5", "contrast:5");
    assertThat(r.domains().get(1).error()).isCloseTo(0.2, within(1e-12));
    assertThat(r.domains().get(1).sourceError()).isCloseTo(0.5, within(1e-12));
    assertThat(r.error()).isCloseTo(0.15, within(1e-12));
    assertThat(r.sourceError()).isCloseTo(0.4, within(1e-12));
    assertThat(r.samplesPerSecond()).isCloseTo(40, within(1e-9));
    assertThat(r.shareUsed()).isCloseTo(0.75, within(1e-12));
    assertThat(r.meanDomainError()).isCloseTo(0.15, within(1e-12));
    assertThat(r.meanDomainSourceError()).isCloseTo(0.4, within(1e-12));
    assertThat(r.lastDomain().name()).isEqualTo("contrast:5");
  }

  @Test
  void theJsonIsAStableRecordWithItsFormatFirst() throws Exception {
    JsonNode json = new ObjectMapper().readTree(report().toJson());

    assertThat(StreamSupport.stream(((Iterable<String>) json::fieldNames).spliterator(), false))
        .containsExactly("format", "method", "model", "bundle", "batch", "reset", "stream",
            "samples", "error", "sourceError", "shareUsed", "samplesPerSecond", "domains");
    assertThat(json.get("format").asText()).isEqualTo("attune-evaluate-report/1");
    assertThat(json.get("method").asText()).isEqualTo("tent");
    assertThat(json.get("batch").asInt()).isEqualTo(64);
    assertThat(json.get("reset").asText()).isEqualTo("per-domain");
    assertThat(json.get("samplesPerSecond").asDouble()).isCloseTo(40, within(1e-9));
    JsonNode fog = json.get("domains").get(0);
    assertThat(fog.get("name").asText()).isEqualTo("fog:5");
    assertThat(fog.get("labelled").asLong()).isEqualTo(10);
    assertThat(fog.get("error").asDouble()).isCloseTo(0.1, within(1e-12));
    assertThat(fog.get("sourceError").asDouble()).isCloseTo(0.3, within(1e-12));
    assertThat(fog.get("samplesUsed").asLong()).isEqualTo(9);
  }

  @Test
  void theMarkdownIsATablePerDomainWithATotal() {
    assertThat(report().toMarkdown())
        .contains("# `tent` on fmnist-resnet")
        .contains("| fog:5 | 10 | 30.00% | 10.00% | 9 |")
        .contains("| **all** | 20 | 40.00% | 15.00% | 75.0% |")
        .contains("40 samples/s");
  }

  @Test
  void theFileExtensionChoosesTheFormat(@TempDir Path dir) throws Exception {
    report().write(dir.resolve("run.json"));
    report().write(dir.resolve("sub/run.MD"));

    assertThat(Files.readString(dir.resolve("run.json"))).startsWith("{")
        .contains("\"format\" : \"attune-evaluate-report/1\"");
    assertThat(Files.readString(dir.resolve("sub/run.MD"))).startsWith("# `tent`");
    assertThat(dir.resolve("run.json.part")).doesNotExist();
    assertThatThrownBy(() -> report().write(dir.resolve("run.txt")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("run.txt").hasMessageContaining("must end in .md");
    assertThat(dir.resolve("run.txt")).doesNotExist();
  }
}
