package io.attune.simulators.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.attune.edge.UploadFilter;
import io.attune.simulators.fleet.TimelinePoint;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class LiveViewTest {

  private final StringWriter text = new StringWriter();
  private final AtomicLong now = new AtomicLong();

  static TimelinePoint point(int tick, String cohort, long samples, long version) {
    return new TimelinePoint(tick, cohort, "fog:5", samples, 0.35, 0.80, 0.36, 0.62, version - 1,
        version, new UploadFilter.Counts(40, 40, 20, 0), 0);
  }

  private LiveView view(LiveView.Mode mode) {
    return new LiveView(new PrintWriter(text, true), mode, 400, Duration.ofSeconds(5), now::get);
  }

  @Test
  void aCohortLineShowsSamplesVersionAccuraciesSoFarAndRecentUploadsAndRefusals() {
    String line = LiveView.line(point(3, "fog-5", 1_024, 12));

    assertThat(line).contains("fog-5", "1024", "v12", "36.0%", "62.0%", "+26.0 pp", "35.0%",
        "80.0%", "40.0%");
    assertThat(line).endsWith(" 0");
  }

  @Test
  void beforeAnyScoredSampleTheAccuraciesAreDashes() {
    TimelinePoint empty = new TimelinePoint(1, "fog-5", "fog:5", 0, Double.NaN, Double.NaN,
        Double.NaN, Double.NaN, 0, 0, UploadFilter.Counts.ZERO, 0);

    assertThat(LiveView.line(empty)).contains(" - ").doesNotContain("NaN");
  }

  @Test
  void anAlertIsPrintedAtTheNextTickAboveTheBlockEvenBetweenRefreshes() {
    LiveView view = view(LiveView.Mode.PLAIN);
    view.onTick(List.of(point(1, "fog-5", 16, 1)));
    now.addAndGet(Duration.ofSeconds(2).toNanos());
    view.alert(DemoReportTest.alert(io.attune.schemas.AlertState.RAISED, "data-drift", 22,
        "prediction entropy rose to 0.83 nats"));
    view.onTick(List.of(point(2, "fog-5", 32, 22)));

    List<String> lines = text.toString().lines().toList();
    assertThat(lines.get(lines.size() - 1)).isEqualTo("alert at 2 s: fog-5 RAISED data-drift "
        + "(since v22): prediction entropy rose to 0.83 nats");
    assertThat(lines.stream().filter(l -> l.startsWith("elapsed"))).hasSize(1);
  }

  @Test
  void plainModePrintsTheBlockAgainOnlyEverySoOften() {
    LiveView view = view(LiveView.Mode.PLAIN);
    view.onTick(List.of(point(1, "a", 16, 1), point(1, "b", 16, 1)));
    now.addAndGet(Duration.ofSeconds(2).toNanos());
    view.onTick(List.of(point(2, "a", 32, 1), point(2, "b", 32, 1)));
    now.addAndGet(Duration.ofSeconds(4).toNanos());
    view.onTick(List.of(point(3, "a", 48, 2), point(3, "b", 48, 2)));
    view.finish();

    assertThat(text.toString()).doesNotContain("\033");
    assertThat(text.toString().lines().filter(l -> l.startsWith("elapsed")))
        .containsExactly(
            "elapsed 0 s                            accuracy so far             last 400 samples",
            "elapsed 6 s                            accuracy so far             last 400 samples",
            "elapsed 6 s                            accuracy so far             last 400 samples");
    assertThat(text.toString().lines().filter(l -> l.startsWith("a "))).hasSize(3)
        .last().asString().contains("48");
  }

  @Test
  void interactiveModeRedrawsTheBlockInPlace() {
    LiveView view = view(LiveView.Mode.INTERACTIVE);
    view.onTick(List.of(point(1, "a", 16, 1)));
    now.addAndGet(Duration.ofSeconds(1).toNanos());
    view.onTick(List.of(point(2, "a", 32, 2)));

    String[] draws = text.toString().split("\033\\[3F", -1);
    assertThat(draws).hasSize(2);
    assertThat(draws[1]).startsWith("\r\033[2Kelapsed 1 s").contains("v2");
    assertThat(draws[1].split("\n")).hasSize(3);
  }
}
