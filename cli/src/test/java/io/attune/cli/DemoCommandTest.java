package io.attune.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Argument handling of {@code attune demo}: every problem is found before anything starts. A
 * whole run starts a broker and takes a minute or more; the README's run and {@code FleetIT}
 * cover that.
 */
class DemoCommandTest {

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();
  private final String root = System.getProperty("attune.root", "..");

  @TempDir
  Path dir;

  /**
   * Runs with the shipped model and data and {@code overrides} (option, value, ...); a value
   * {@code "a --opt b"} repeats {@code --opt}.
   */
  private int run(String... overrides) {
    Map<String, String> options = new LinkedHashMap<>();
    options.put("--model", root + "/models/fmnist-resnet/model.onnx");
    options.put("--images", root + "/data/fashion-mnist/t10k-images-idx3-ubyte.gz");
    options.put("--labels", root + "/data/fashion-mnist/t10k-labels-idx1-ubyte.gz");
    options.put("--out", dir.resolve("out").toString());
    for (int i = 0; i < overrides.length; i += 2) {
      options.put(overrides[i], overrides[i + 1]);
    }
    List<String> args = new ArrayList<>(List.of("demo"));
    options.forEach((option, value) -> {
      for (String part : value.split(" " + option + " ")) {
        args.addAll(List.of(option, part));
      }
    });
    return Attune.run(args.toArray(String[]::new), new PrintWriter(out, true),
        new PrintWriter(err, true));
  }

  private void assertOneLine(String... parts) {
    assertThat(err.toString().strip().lines()).hasSize(1);
    assertThat(err.toString()).contains(parts).contains("(see 'attune demo --help')")
        .doesNotContain("Exception");
    assertThat(out.toString()).as("nothing started").isEmpty();
    assertThat(dir.resolve("out")).doesNotExist();
  }

  @Test
  void helpSaysWhatTheDemoShowsAndLeavesBehind() {
    assertThat(Attune.run(new String[] {"demo", "--help"}, new PrintWriter(out, true),
        new PrintWriter(err, true))).isZero();
    assertThat(out.toString()).contains("embedded Kafka broker", "report.md", "accuracy.png",
        "Ctrl-C", "--cohorts", "--devices", "--samples", "--method", "--bundle", "--out",
        "--plain", "gaussian_noise:5, fog:5", "default: tent", "attune-demo");
    assertThat(err.toString()).isEmpty();
  }

  @Test
  void theTopLevelHelpListsTheDemoFirst() {
    assertThat(Attune.run(new String[] {"--help"}, new PrintWriter(out, true),
        new PrintWriter(err, true))).isZero();
    String commands = out.toString().substring(out.toString().indexOf("Commands:"));
    assertThat(commands.lines().skip(1).findFirst().orElseThrow().strip()).startsWith("demo");
  }

  @Test
  void anUnknownMethodIsABadArgument() {
    assertThat(run("--method", "magic")).isEqualTo(2);
    assertOneLine("--method: unknown method 'magic'", "tent");
  }

  @Test
  void fewerDevicesThanCohortsIsABadArgument() {
    assertThat(run("--cohorts", "3", "--devices", "2")).isEqualTo(2);
    assertOneLine("--devices (2) must be at least --cohorts (3)");
  }

  @Test
  void moreCohortsThanDefaultShiftsIsABadArgument() {
    assertThat(run("--cohorts", "7")).isEqualTo(2);
    assertOneLine("--cohorts must be 1 to 6 with the default shifts, got 7");
  }

  @Test
  void everyBadNumberIsReportedAtOnce() {
    assertThat(run("--samples", "0", "--batch", "0", "--broker-port", "70000", "--tick-ms",
        "-1")).isEqualTo(2);
    assertOneLine("--samples must be at least 1, got 0", "--batch must be 1 to 4096, got 0",
        "--broker-port must be 0 (a free port) to 65535, got 70000",
        "--tick-ms must be 0 or more, got -1");
  }

  @Test
  void aNumberThatIsNotOneIsABadArgument() {
    assertThat(run("--devices", "many")).isEqualTo(2);
    assertOneLine("--devices", "'many'");
  }

  @Test
  void aMissingBundleOrModelIsNamed() {
    assertThat(run("--bundle", dir.resolve("no-bundle").toString())).isEqualTo(2);
    assertOneLine("--bundle", "no-bundle: no such directory");
  }

  @Test
  void aMissingModelIsNamed() {
    assertThat(run("--model", dir.resolve("none.onnx").toString())).isEqualTo(2);
    assertOneLine("--model", "none.onnx: no such file");
  }

  @Test
  void aBadScheduleIsABadArgument() {
    assertThat(run("--schedule", "gaussian_noise:9")).isEqualTo(2);
    assertOneLine("--schedule:");
  }

  @Test
  void oneSchedulePerCohortMustMatchTheCohortCount() {
    assertThat(run("--schedule", "fog:5 --schedule contrast:5", "--cohorts", "3")).isEqualTo(2);
    assertOneLine("--schedule:");
  }

  @Test
  void anOutputPathThatIsAFileIsABadArgument() throws Exception {
    Path file = Files.writeString(dir.resolve("taken"), "x");
    assertThat(run("--out", file.toString())).isEqualTo(2);
    assertThat(err.toString()).contains("--out", "taken exists and is not a directory");
  }
}
