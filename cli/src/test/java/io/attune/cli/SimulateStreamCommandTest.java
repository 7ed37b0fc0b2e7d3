package io.attune.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class SimulateStreamCommandTest {

  private static final String ROOT = System.getProperty("attune.root", "..");

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    final List<String> all = new ArrayList<>(List.of("simulate", "stream",
        "--images", ROOT + "/data/fashion-mnist/t10k-images-idx3-ubyte.gz",
        "--labels", ROOT + "/data/fashion-mnist/t10k-labels-idx1-ubyte.gz"));
    all.addAll(List.of(args));
    return Attune.run(all.toArray(String[]::new), new PrintWriter(out, true),
        new PrintWriter(err, true));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "--schedule bogus:9 --bootstrap localhost:9092 --model m | --schedule",
      "--schedule fog:5 --bootstrap localhost --model m | --bootstrap: 'localhost' is not HOST:PORT",
      "--schedule fog:5 --bootstrap localhost:9092 --model a/b | --model: model 'a/b' contains '/'",
      "--schedule fog:5 --bootstrap localhost:9092 --model m --cohorts 0 | --cohorts must be at "
          + "least 1, got 0",
      "--schedule fog:5 --schedule fog:1 --bootstrap localhost:9092 --model m --cohorts 3 | "
          + "--schedule: 2 schedules for 3 cohorts",
      "--schedule fog:5 --bootstrap localhost:9092 --model m --rate=-1 | --rate must be 0",
      "--schedule fog:5 --bootstrap localhost:9092 --model m --limit 0 | --limit must be at "
          + "least 1, got 0",
      "--schedule fog:5 --bootstrap localhost:9092 --model m --topic a/b | --topic: topic name "
          + "'a/b' may hold only",
      "--schedule fog:5 --bootstrap localhost:9092 --model m --connect-timeout 0 | "
          + "--connect-timeout must be more than 0",
      "--schedule fog:5 --model m | Missing required option: '--bootstrap=HOST:PORT'"})
  void badArgumentsAreOneLineAndExit2BeforeAnyConnection(String args, String message) {
    assertThat(run(args.split(" "))).isEqualTo(2);

    assertThat(err.toString().strip().lines()).hasSize(1);
    assertThat(err.toString()).contains(message);
  }

  @Test
  void anUnreachableClusterIsOneLineAndExit1WithinTheTimeout() {
    final long start = System.nanoTime();

    assertThat(run("--schedule", "fog:5", "--bootstrap", "127.0.0.1:1", "--model", "m",
        "--limit", "5", "--connect-timeout", "1")).isEqualTo(1);

    assertThat(err.toString().strip().lines()).hasSize(1);
    assertThat(err.toString()).startsWith("attune stream: cannot reach Kafka at 127.0.0.1:1 "
        + "within 1 s");
    assertThat((System.nanoTime() - start) / 1e9).isLessThan(15);
  }

  @Test
  void helpListsTheOptions() {
    assertThat(Attune.run(new String[] {"simulate", "stream", "--help"},
        new PrintWriter(out, true), new PrintWriter(err, true))).isZero();

    assertThat(out.toString()).contains("--schedule=SPEC", "--bootstrap=HOST:PORT",
        "--cohorts=N", "--rate=R", "--limit=N", "--topic=TOPIC");
  }
}
