package io.attune.cli;

import io.attune.adaptation.bundle.ModelBundle;
import io.attune.adaptation.drift.ConfidenceCalibration;
import io.attune.adaptation.drift.DriftMonitor;
import io.attune.adaptation.drift.DriftReference;
import io.attune.adaptation.eval.DriftChecks;
import io.attune.adaptation.eval.DriftEvaluation;
import io.attune.adaptation.eval.DriftReport;
import io.attune.adaptation.method.AdaptationMethod;
import io.attune.adaptation.method.Methods;
import io.attune.adaptation.runtime.AdaptationStep;
import io.attune.simulators.evaluation.ResultsPage;
import io.attune.simulators.schedule.LabeledImages;
import io.attune.simulators.schedule.LabelledReplay;
import io.attune.simulators.schedule.Schedule;
import io.attune.simulators.schedule.ScheduleException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Issue 10's drift numbers on one bundle ({@code attune results --drift}): the schedules of
 * docs/drift.md replayed with TENT at batch 64, a report per schedule, and the drift section of
 * docs/results.md with each "done means" number and whether it holds.
 */
final class DriftSuite {

  static final String METHOD = "tent";
  static final int BATCH = 64;
  static final String SECTION = "drift";

  private static final List<String> CORRUPTIONS = List.of("gaussian_noise", "shot_noise",
      "impulse_noise", "speckle_noise", "defocus_blur", "motion_blur", "gaussian_blur",
      "contrast", "brightness", "fog", "pixelate", "jpeg_compression", "elastic_transform",
      "rotate", "translate", "scale", "shear");
  private static final List<String> RAMPS = List.of("gaussian_noise", "motion_blur", "fog",
      "contrast", "jpeg_compression", "rotate");
  private static final String WARMUP = "clean+samples:1280+shuffle";

  /** One replay: its report's file name, what it shows, and its schedules in order. */
  record Run(String name, String shows, List<String> schedules) {}

  /** The runs, in the order they are made. */
  static List<Run> runs() {
    StringBuilder continual = new StringBuilder("continual:");
    for (String c : CORRUPTIONS) {
      for (int s = 3; s <= 5; s++) {
        continual.append(c).append(':').append(s).append(",clean,");
      }
    }
    List<String> gradual = new ArrayList<>(List.of(WARMUP));
    for (String c : RAMPS) {
      gradual.add("gradual:" + c + "+samples:320+shuffle");
      gradual.add("clean+samples:640+shuffle");
    }
    String all5 = "continual:" + String.join(",", CORRUPTIONS.stream().map(c -> c + ":5")
        .toList());
    return List.of(
        new Run("continual", "every corruption at severities 3, 4, 5, 6 batches each, clean "
            + "between", List.of(WARMUP, continual.substring(0, continual.length() - 1)
            + "+samples:384+shuffle")),
        new Run("clean", "the whole clean test split", List.of("clean")),
        new Run("gradual", "six 1 -> 5 -> 1 ramps, 5 batches a severity", gradual),
        new Run("severity5", "all 17 corruptions at severity 5 in a row, 8 batches each, "
            + "i.i.d.", List.of(WARMUP, all5 + "+samples:512+shuffle")),
        new Run("sorted", "gaussian_noise:5 and contrast:5 sorted by class (label shift)",
            List.of(WARMUP, "continual:gaussian_noise:5,contrast:5+sorted+samples:2000")),
        new Run("sorted-clean", "the clean test split sorted by class", List.of("clean+sorted")),
        new Run("iid", "gaussian_noise:5 and contrast:5, i.i.d.", List.of(WARMUP,
            "continual:gaussian_noise:5,contrast:5+shuffle+samples:2000")));
  }

  /** A run's outcome. */
  record Outcome(Run run, DriftEvaluation.Result result, DriftReport.Summary summary) {}

  private DriftSuite() {}

  /**
   * Replays every run, writes its report into {@code reports} and the section into
   * {@code page}.
   *
   * @param command the command line that regenerates the section
   */
  static Map<String, Outcome> run(Path bundleDir, Path images, Path labels, Path reports,
      Path page, int threads, String command, String machine, String date, PrintWriter err)
      throws IOException {
    ModelBundle bundle = ModelBundle.open(bundleDir);
    LabeledImages data = LabeledImages.read(images, labels);
    Files.createDirectories(reports);
    Map<String, Outcome> outcomes = new LinkedHashMap<>();
    DriftReference reference;
    try (AdaptationStep sessions = bundle.openStep(threads)) {
      AdaptationMethod source = Methods.create("source", bundle, sessions);
      reference = DriftReference.calibrate(bundle, source, Optional.empty());
      DriftMonitor.Config config = DriftMonitor.Config.defaults();
      ConfidenceCalibration calibration = ConfidenceCalibration.load(bundle, reference,
          Optional.empty(), config.calibrationImages());
      for (Run run : runs()) {
        List<Schedule> schedules = new ArrayList<>();
        for (String s : run.schedules()) {
          schedules.add(parse(s));
        }
        LabelledReplay replay = LabelledReplay.of(schedules, data, 42, bundle.manifest(),
            BATCH);
        List<DriftEvaluation.Domain> domains = replay.domains().stream().map(d ->
            new DriftEvaluation.Domain(d.spec(), d.clean(), d.severity())).toList();
        DriftEvaluation.Result result;
        try (ProgressBar progress = new ProgressBar(err, run.name(), replay.count())) {
          result = DriftEvaluation.run(Methods.create(METHOD, bundle, sessions), source,
              replay, domains, reference, new DriftMonitor(config, reference.classes()),
              calibration, t -> { }, progress);
        }
        DriftReport.Summary summary = DriftReport.summarize(result);
        Files.writeString(reports.resolve(run.name() + ".md"), DriftReport.markdown(result,
            summary, reference, setup(bundle, run)));
        outcomes.put(run.name(), new Outcome(run, result, summary));
      }
    }
    ResultsPage.writeSection(page, SECTION, section(outcomes, reference, command, machine,
        date, relative(page, reports)));
    return outcomes;
  }

  private static Schedule parse(String text) {
    try {
      return Schedule.parse(text);
    } catch (ScheduleException e) {
      throw new IllegalStateException("the drift suite's schedule '" + text + "' does not "
          + "parse: " + e.getMessage(), e);
    }
  }

  private static String setup(ModelBundle bundle, Run run) {
    StringBuilder s = new StringBuilder();
    s.append("## ").append(METHOD).append(" on ").append(bundle.manifest().name())
        .append(", batch ").append(BATCH).append("\n\n");
    s.append("Made by `attune results --drift`; the same replay as:\n\n");
    s.append("```\n./attune evaluate-drift --bundle BUNDLE --method ").append(METHOD)
        .append(" --batch ").append(BATCH);
    for (String sc : run.schedules()) {
      s.append(" \\\n    --schedule '").append(sc).append('\'');
    }
    return s.append("\n```").toString();
  }

  private static String relative(Path page, Path reports) {
    Path from = page.toAbsolutePath().getParent();
    return from.relativize(reports.toAbsolutePath()).toString().replace('\\', '/');
  }

  /** The section: each "done means" with its number, status and report. */
  static String section(Map<String, Outcome> o, DriftReference reference, String command,
      String machine, String date, String reports) {
    List<String[]> rows = new ArrayList<>();
    rows.add(row("every severity >= 3 abrupt shift of a continual schedule of all corruptions "
        + "detected within 3 batches", DriftChecks.detection(o.get("continual").summary()),
        reports, "continual"));
    rows.add(row("zero false alarms over a clean pass of the whole test split",
        DriftChecks.falseAlarms(o.get("clean").summary()), reports, "clean"));
    rows.add(row("(also) zero false alarms on the clean parts between the shifts",
        DriftChecks.falseAlarms(o.get("continual").summary()), reports, "continual"));
    rows.add(row("a gradual 1 -> 5 ramp detected before severity 4",
        DriftChecks.ramps(o.get("gradual").result(), o.get("gradual").summary()), reports,
        "gradual"));
    rows.add(row("accuracy estimate within 5 pp of the truth on average over the severity-5 "
        + "domains", DriftChecks.estimates(o.get("severity5").result()), reports,
        "severity5"));
    rows.add(row("class-sorted stream: guarded accuracy within 2 pp of the source's or better",
        DriftChecks.sorted(o.get("sorted").result()), reports, "sorted"));
    rows.add(row("(also) the clean test split sorted by class",
        DriftChecks.sorted(o.get("sorted-clean").result()), reports, "sorted-clean"));
    rows.add(row("severity-5 i.i.d. streams: the guard gives up at most 0.5 pp of the adapted "
        + "gain", DriftChecks.gainKept(o.get("severity5").result()), reports, "severity5"));
    rows.add(row("(also) two severity-5 domains of 2,000 samples each",
        DriftChecks.gainKept(o.get("iid").result()), reports, "iid"));
    StringBuilder md = new StringBuilder("## Drift alerts and label-free accuracy estimates\n\n");
    md.append("Issue 10's targets on the bundle below: ").append(METHOD).append(" at batch ")
        .append(BATCH).append(", the drift monitor's default settings (docs/drift.md). "
            + "Generated by `attune results --drift`; do not edit by hand. To regenerate:\n\n");
    md.append("```bash\n").append(command).append("\n```\n\n");
    md.append("- **date**: ").append(date).append("\n");
    md.append("- **machine**: ").append(machine).append("\n");
    md.append(String.format(Locale.ROOT, "- **calibration**: ATC threshold %.4f nats of "
        + "entropy, from %d clean source images on which the source model is %.2f%% "
        + "accurate%n", reference.entropyThreshold(), reference.calibrationSamples(),
        100 * reference.calibrationAccuracy()));
    md.append("- **runs**: ");
    md.append(String.join("; ", o.values().stream().map(x -> x.run().name() + ": "
        + x.run().shows() + " (" + x.result().batches() + " batches)").toList()));
    md.append("\n\n| | target | measured | report |\n|---|---|---|---|\n");
    for (String[] r : rows) {
      md.append("| ").append(String.join(" | ", r)).append(" |\n");
    }
    return md.toString();
  }

  private static String[] row(String target, DriftChecks.Check check, String reports,
      String report) {
    return new String[] {check.pass() ? "PASS" : "MISS", target, check.measured(),
        "[" + report + "](" + reports + "/" + report + ".md)"};
  }
}
