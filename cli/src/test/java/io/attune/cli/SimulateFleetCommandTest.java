package io.attune.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.attune.schemas.signing.SigningKeys;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Argument handling of {@code attune simulate fleet}; a run needs a broker and a worker. */
class SimulateFleetCommandTest {

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();
  private final String root = System.getProperty("attune.root", "..");

  @TempDir
  Path dir;

  private Path key;

  @BeforeEach
  void writeKey() throws Exception {
    key = dir.resolve("params.pub.pem");
    SigningKeys.writePublicKey(key, SigningKeys.generate().getPublic());
  }

  /**
   * Runs with valid options but a missing bundle, {@code overrides} (option, value, ...); a
   * value {@code "a --opt b"} repeats {@code --opt}.
   */
  private int run(String... overrides) {
    Map<String, String> options = new LinkedHashMap<>();
    options.put("--bundle", dir.resolve("no-bundle").toString());
    options.put("--bootstrap", "localhost:9092");
    options.put("--public-key", key.toString());
    options.put("--images", root + "/data/fashion-mnist/t10k-images-idx3-ubyte.gz");
    options.put("--labels", root + "/data/fashion-mnist/t10k-labels-idx1-ubyte.gz");
    for (int i = 0; i < overrides.length; i += 2) {
      options.put(overrides[i], overrides[i + 1]);
    }
    List<String> args = new ArrayList<>(List.of("simulate", "fleet"));
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
    assertThat(err.toString()).contains(parts).doesNotContain("Exception");
  }

  @Test
  void helpOfSimulateListsFleet() {
    assertThat(Attune.run(new String[] {"simulate", "--help"}, new PrintWriter(out, true),
        new PrintWriter(err, true))).isZero();
    assertThat(out.toString()).contains("fleet");
  }

  @Test
  void fewerDevicesThanCohortsIsABadArgument() {
    assertThat(run("--cohorts", "3", "--devices", "2")).isEqualTo(2);
    assertOneLine("--devices (2) must be at least --cohorts (3)", "attune simulate fleet --help");
  }

  @Test
  void everyBadNumberIsReportedAtOnce() {
    assertThat(run("--samples", "0", "--upload-share", "1.5", "--tick", "0")).isEqualTo(2);
    assertOneLine("--samples must be at least 1, got 0", "--upload-share must be 0 to 1",
        "--tick must be at least 1, got 0");
  }

  @Test
  void aBootstrapWithoutPortIsABadArgument() {
    assertThat(run("--bootstrap", "localhost")).isEqualTo(2);
    assertOneLine("--bootstrap", "'localhost' is not HOST:PORT");
  }

  @Test
  void aMissingPublicKeyFileIsABadArgument() {
    assertThat(run("--public-key", dir.resolve("none.pem").toString())).isEqualTo(2);
    assertOneLine("--public-key", "none.pem", "no such file");
  }

  @Test
  void aFileThatIsNotAPublicKeyIsABadArgument() throws Exception {
    Path garbage = Files.writeString(dir.resolve("garbage.pem"), "not a key\n");
    assertThat(run("--public-key", garbage.toString())).isEqualTo(2);
    assertOneLine("--public-key", "garbage.pem");
  }

  @Test
  void aBadScheduleIsABadArgument() {
    assertThat(run("--schedule", "gaussian_noise:9")).isEqualTo(2);
    assertOneLine("--schedule", "severity");
  }

  @Test
  void schedulesAreOneForAllOrOnePerCohort() {
    assertThat(run("--cohorts", "3", "--schedule", "fog:5 --schedule contrast:5")).isEqualTo(2);
    assertOneLine("--schedule", "2 schedules for 3");
  }

  @Test
  void aMissingRequiredOptionIsABadArgument() {
    assertThat(Attune.run(new String[] {"simulate", "fleet", "--bundle", "x"},
        new PrintWriter(out, true), new PrintWriter(err, true))).isEqualTo(2);
    assertOneLine("Missing required option");
  }

  @Test
  void aDirectoryThatIsNotABundleFailsNamingIt() {
    assertThat(run()).isEqualTo(1);
    assertOneLine("attune fleet: ", "no-bundle", "not a model bundle");
  }
}
