package io.attune.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AttuneCommandTest {

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    return Attune.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
  }

  @Test
  void helpListsTheSubcommands() {
    assertThat(run("--help")).isZero();
    assertThat(out.toString()).contains("Commands:").contains("evaluate").contains("help");
  }

  @Test
  void versionNamesTheProjectVersion() {
    assertThat(run("--version")).isZero();
    assertThat(out.toString()).startsWith("attune ").contains("Java ");
  }

  @Test
  void unknownCommandPrintsOneLineAndExits2() {
    assertThat(run("bogus")).isEqualTo(2);
    assertThat(err.toString().strip().lines()).containsExactly(
        "attune: unknown command 'bogus' (see 'attune --help')");
  }

  @Test
  void unknownOptionPrintsOneLineAndExits2() {
    assertThat(run("evaluate", "--nope")).isEqualTo(2);
    assertThat(err.toString().strip().lines()).hasSize(1);
    assertThat(err.toString()).contains("--nope").contains("attune evaluate --help");
  }

  @Test
  void invalidBatchSizeIsABadArgument() {
    assertThat(run("evaluate", "--batch-size", "0")).isEqualTo(2);
    assertThat(err.toString()).contains("--batch-size must be at least 1, got 0");
  }

  @Test
  void missingModelFileFailsWithOneLineNamingTheFile(@TempDir Path dir) {
    Path missing = dir.resolve("nothing.onnx");

    assertThat(run("evaluate", "--model", missing.toString())).isEqualTo(1);

    assertThat(err.toString().strip().lines()).hasSize(1);
    assertThat(err.toString()).startsWith("attune evaluate: ").contains("model.json")
        .doesNotContain("Exception");
  }
}
