package io.attune.simulators.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.attune.edge.UploadFilter;
import io.attune.schemas.AlertState;
import io.attune.schemas.DriftAlert;
import io.attune.simulators.fleet.CohortSummary;
import io.attune.simulators.fleet.FleetResult;
import io.attune.simulators.fleet.TimelinePoint;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoReportTest {

  static FleetResult result() {
    List<TimelinePoint> timeline = new ArrayList<>();
    for (int tick = 1; tick <= 50; tick++) {
      for (String cohort : List.of("gaussian_noise-5", "fog-5")) {
        double adapted = Math.min(0.85, 0.4 + tick * 0.02);
        timeline.add(new TimelinePoint(tick, cohort, cohort.replace("-5", ":5"), tick * 32L,
            0.4, adapted, 0.4, adapted - 0.1, tick / 3, tick / 3,
            new UploadFilter.Counts(tick * 14L, tick * 12L, tick * 6L, 0), 0));
      }
    }
    Map<String, CohortSummary> cohorts = new LinkedHashMap<>();
    cohorts.put("gaussian_noise-5", new CohortSummary("gaussian_noise-5", "gaussian_noise:5",
        1_600, 0.514, 0.788, 28, new UploadFilter.Counts(700, 600, 300, 0), 56, 0));
    cohorts.put("fog-5", new CohortSummary("fog-5", "fog:5", 1_600, 0.362, 0.749, 27,
        new UploadFilter.Counts(650, 650, 300, 0), 54, 1));
    return new FleetResult(timeline, cohorts);
  }

  static DemoReport report() {
    return report(List.of());
  }

  static DemoReport report(List<DriftAlert> alerts) {
    return new DemoReport(new DemoReport.Settings("fmnist", "tent", 64, 4, 800, 400), result(),
        alerts, Duration.ofSeconds(94), Duration.ofSeconds(76),
        Instant.parse("2026-11-26T01:33:00Z"));
  }

  static DriftAlert alert(AlertState state, String signal, long since, String summary) {
    return DriftAlert.newBuilder().setModel("fmnist").setCohort("fog-5").setSignal(signal)
        .setState(state).setScore(5.5).setThreshold(5).setFirstBatch(since)
        .setTime(Instant.parse("2026-11-26T01:32:00Z")).setSummary(summary)
        .setSourceAccuracyEstimate(0.412f).setAdaptedAccuracyEstimate(0.786f).build();
  }

  @Test
  void theAlertsSectionListsEveryAlertInArrivalOrderWithItsEstimates() {
    String md = report(List.of(
        alert(AlertState.RAISED, "data-drift", 22, "statistics divergence rose | sharply"),
        alert(AlertState.RESOLVED, "data-drift", 22, "statistics divergence back")))
        .markdown();

    assertThat(md).contains("## Drift alerts", "first 20 adaptation steps");
    assertThat(md).contains("| fog-5 | RAISED | data-drift | v22 | 41.2% | 78.6% | "
        + "statistics divergence rose \\| sharply |");
    assertThat(md.indexOf("| RAISED |")).isLessThan(md.indexOf("| RESOLVED |"));
  }

  @Test
  void withoutAlertsTheSectionSaysWhyTheDefaultCohortsRaiseNone() {
    assertThat(report().markdown()).contains("## Drift alerts",
        "published no alert", "first 20 adaptation steps",
        "`--schedule '" + DemoReport.CLEAN_START_EXAMPLE + "' --samples 3000`");
  }

  @Test
  void theMarkdownHasARowPerCohortAndTheMeanAndLinksTheChart() {
    String md = report().markdown();

    assertThat(md).contains("2026-11-26 01:33 UTC", "4 devices in 2 cohorts", "800 samples each",
        "`tent`, batch 64", "94 s from start to report (the fleet ran 76 s)");
    assertThat(md).contains("| gaussian_noise-5 | `gaussian_noise:5` | 1,600 | 51.4% | 78.8% | "
        + "+27.4 pp | 28 | 56 | 0 | 700 (43.8%) | 600 / 300 / 0 |");
    assertThat(md).contains("| fog-5 | `fog:5` | 1,600 | 36.2% | 74.9% | +38.7 pp | 27 | 54 | 1 "
        + "| 650 (40.6%) | 650 / 300 / 0 |");
    assertThat(md).contains("| **all** (mean of cohorts) | | 3,200 | 43.8% | 76.9% | +33.1 pp "
        + "| | 110 | 1 | 1,350 (42.2%) | 1,250 / 600 / 0 |");
    assertThat(md).contains("](accuracy.png)");
  }

  @Test
  void writingLeavesTheReportAndAChartWithAPanelPerCohort(@TempDir Path dir) throws Exception {
    report().write(dir.resolve("out"));

    assertThat(dir.resolve("out/report.md")).content().startsWith("# Attune demo report");
    BufferedImage chart = ImageIO.read(dir.resolve("out/accuracy.png").toFile());
    assertThat(chart.getWidth()).isEqualTo(2 * 16 + 2 * 440);
    assertThat(chart.getHeight()).isEqualTo(16 + 64 + 320 + 16);
    assertThat(dir.resolve("out").toFile().list()).containsExactlyInAnyOrder("report.md",
        "accuracy.png");
  }

  @Test
  void theChartDrawsBothLinesInEveryPanel() {
    BufferedImage chart = AccuracyChart.render(result().timeline(), 400, "t");

    for (int panel = 0; panel < 2; panel++) {
      int left = 16 + panel * 440 + 64;
      assertThat(count(chart, left, AccuracyChart.FROZEN.getRGB())).as("frozen, panel " + panel)
          .isGreaterThan(100);
      assertThat(count(chart, left, AccuracyChart.ADAPTED.getRGB())).as("adapted, " + panel)
          .isGreaterThan(100);
    }
  }

  private static int count(BufferedImage image, int left, int rgb) {
    int n = 0;
    for (int x = left; x < left + 360; x++) {
      for (int y = 16 + 64 + 30; y < image.getHeight() - 52; y++) {
        n += image.getRGB(x, y) == rgb ? 1 : 0;
      }
    }
    return n;
  }

  @Test
  void ticksAreRoundNumbers() {
    assertThat(AccuracyChart.niceStep(3_000)).isEqualTo(500);
    assertThat(AccuracyChart.niceStep(1_600)).isEqualTo(500);
    assertThat(AccuracyChart.niceStep(1_000)).isEqualTo(200);
    assertThat(AccuracyChart.niceStep(6_000)).isEqualTo(1_000);
    assertThat(AccuracyChart.niceStep(90)).isEqualTo(20);
    assertThat(AccuracyChart.niceStep(0)).isEqualTo(1);
  }

  @Test
  void anEmptyTimelineIsRefused() {
    assertThatThrownBy(() -> AccuracyChart.render(List.of(), 400, "t"))
        .hasMessageContaining("no timeline");
  }
}
