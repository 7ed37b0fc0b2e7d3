package io.attune.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.attune.topology.WorkerConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorkerCommandTest {

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    return Attune.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
  }

  @Test
  void withoutABundleOrACatalogItIsABadArgument() {
    assertThat(run("worker")).isEqualTo(2);
    assertThat(err.toString().strip().lines()).hasSize(1);
    assertThat(err.toString()).contains("--bundle").contains("catalog.file");
  }

  @Test
  void everyConfigurationProblemIsNamedOnOneLineBeforeConnecting() {
    assertThat(run("worker", "--set", "catalog.file=c.json", "--set", "num.stream.threads=0",
        "--set", "processing.guarantee=maybe")).isEqualTo(2);
    String message = err.toString().strip();
    assertThat(message.lines()).hasSize(1);
    assertThat(message).contains("bootstrap.servers").contains("signing.key.file")
        .contains("num.stream.threads").contains("processing.guarantee");
  }

  @Test
  void aMissingConfigFileIsOneLine(@TempDir Path dir) {
    assertThat(run("worker", "--config", dir.resolve("none.properties").toString()))
        .isEqualTo(2);
    assertThat(err.toString()).contains("none.properties").doesNotContain("Exception");
  }

  @Test
  void aMissingCatalogFailsWithOneLineNamingIt(@TempDir Path dir) throws Exception {
    Path key = dir.resolve("k");
    Files.writeString(key, "");
    assertThat(run("worker", "--set", "bootstrap.servers=127.0.0.1:1", "--set",
        "catalog.file=" + dir.resolve("catalog.json"), "--set", "signing.key.file=" + key,
        "--set", "http.port=-1")).isEqualTo(1);
    assertThat(err.toString().strip().lines()).hasSize(1);
    assertThat(err.toString()).contains("catalog.json");
  }

  @Test
  void theConfigReferenceIsTheGeneratedDocument() {
    assertThat(run("worker", "--config-reference")).isZero();
    assertThat(out.toString()).isEqualTo(WorkerConfig.referenceDocument());
  }
}
