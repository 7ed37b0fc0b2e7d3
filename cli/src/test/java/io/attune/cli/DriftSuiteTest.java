package io.attune.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.attune.simulators.schedule.Schedule;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The drift suite behind {@code attune results --drift}: its schedules and its bad input. */
class DriftSuiteTest {

  @Test
  void theSuiteReplaysTheSchedulesOfDocsDrift() throws Exception {
    List<DriftSuite.Run> runs = DriftSuite.runs();

    assertThat(runs).extracting(DriftSuite.Run::name).containsExactly("continual", "clean",
        "gradual", "severity5", "sorted", "sorted-clean", "iid");
    for (DriftSuite.Run run : runs) {
      for (String s : run.schedules()) {
        assertThat(Schedule.parse(s)).as(s).isNotNull();
      }
    }
    // 17 corruptions x severities 3, 4, 5, each followed by clean
    String continual = runs.get(0).schedules().get(1);
    assertThat(continual.split(",")).hasSize(17 * 3 * 2);
    assertThat(continual).startsWith("continual:gaussian_noise:3,clean,gaussian_noise:4,clean,")
        .endsWith("shear:5,clean+samples:384+shuffle");
    assertThat(runs.get(2).schedules()).hasSize(1 + 2 * 6);
  }

  @Test
  void aMissingBundleIsOneLine(@TempDir Path dir) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();

    int code = Attune.run(new String[] {"results", "--drift", "--bundle",
        dir.resolve("nope").toString(), "--out", dir.resolve("results.md").toString()},
        new PrintWriter(out, true), new PrintWriter(err, true));

    assertThat(code).isNotZero();
    assertThat(err.toString().strip()).doesNotContain("\n").contains("nope");
  }
}
