package io.attune.cli;

import io.attune.adaptation.bundle.ModelBundle;
import io.attune.adaptation.drift.ConfidenceCalibration;
import io.attune.adaptation.drift.DriftMonitor;
import io.attune.adaptation.drift.DriftReference;
import io.attune.adaptation.eval.DriftEvaluation;
import io.attune.adaptation.eval.DriftReport;
import io.attune.adaptation.method.AdaptationMethod;
import io.attune.adaptation.method.Methods;
import io.attune.adaptation.runtime.AdaptationStep;
import io.attune.simulators.schedule.LabeledImages;
import io.attune.simulators.schedule.LabelledReplay;
import io.attune.simulators.schedule.Schedule;
import io.attune.simulators.schedule.ScheduleException;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code attune evaluate-drift}: drift alerts and accuracy estimates scored on a schedule. */
@Command(
    name = "evaluate-drift",
    mixinStandardHelpOptions = true,
    usageHelpAutoWidth = true,
    header = "Score drift alerts and label-free accuracy estimates on a shifted stream.",
    description = {
      "",
      "Replays one or more schedules, one after another, as one cohort's traffic: every batch "
          + "is adapted on by the method and predicted by the source model, its drift signals "
          + "are measured and fed to the change detectors and the publishing guard, as a "
          + "worker would. The labels then score it: per shift the detection delay in "
          + "batches, false alarms on the clean parts, and per domain the error of the "
          + "label-free accuracy estimates of the source and the adapted model.",
      "",
      "The detectors learn their baseline from the first 20 batches, so start with clean "
          + "data (e.g. --schedule 'clean+samples:1280+shuffle' before the schedule under "
          + "test). The estimates are calibrated on the bundle's source images and labels "
          + "(prepare with --source-images and --source-memory of the same samples, or give "
          + "--source-labels).",
      ""
    },
    footer = {
      "",
      "Examples:",
      "  ./attune evaluate-drift --bundle /tmp/bundle --schedule 'clean+samples:1280+shuffle' \\",
      "      --schedule 'continual:fog:5,clean,contrast:3,clean+samples:640+shuffle'",
      "  ./attune evaluate-drift --bundle /tmp/bundle --schedule clean --report clean.md"
    })
final class EvaluateDriftCommand implements Callable<Integer> {

  @Spec
  private CommandSpec spec;

  @Option(names = "--bundle", required = true, paramLabel = "DIR",
      description = "The model bundle (made by 'attune prepare').")
  private Path bundleDir;

  @Option(names = "--schedule", required = true, paramLabel = "SPEC",
      description = "A compact schedule, its JSON form, or a file holding either; repeat to "
          + "play several one after another.")
  private List<String> schedules;

  @Option(names = "--batch", paramLabel = "N", defaultValue = "64",
      description = "Samples per adaptation step (default: ${DEFAULT-VALUE}).")
  private int batch;

  @Option(names = "--method", paramLabel = "M", defaultValue = "tent",
      description = "The adaptation method, one of ${COMPLETION-CANDIDATES} (default: "
          + "${DEFAULT-VALUE}).", completionCandidates = MethodNames.class)
  private String method;

  @Mixin
  private LabelledImagesOptions labelled = new LabelledImagesOptions();

  @Option(names = "--seed", paramLabel = "N", defaultValue = "42",
      description = "Seed of the schedules; schedule k plays with SEED+k (default: "
          + "${DEFAULT-VALUE}).")
  private long seed;

  @Option(names = "--source-labels", paramLabel = "FILE",
      description = "Labels of the bundle's source images, when its source memory does not "
          + "hold them.")
  private Path sourceLabels;

  @Option(names = "--report", paramLabel = "FILE",
      description = "Also write the report as Markdown to FILE.")
  private Path report;

  @Option(names = "--trace", paramLabel = "FILE",
      description = "Write every batch's signals, levels, estimates and events as CSV.")
  private Path trace;

  @Option(names = "--threads", paramLabel = "N", defaultValue = "0",
      description = "ONNX Runtime intra-op threads; 0 = one per core (default: ${DEFAULT-VALUE}).")
  private int threads;

  @Override
  public Integer call() throws IOException {
    if (batch < 1) {
      throw new ParameterException(spec.commandLine(), "--batch must be at least 1, got "
          + batch);
    }
    if (!Methods.NAMES.contains(method)) {
      throw new ParameterException(spec.commandLine(), "unknown method '" + method
          + "'; known: " + String.join(", ", Methods.NAMES));
    }
    List<Schedule> parsed = new ArrayList<>();
    for (String text : schedules) {
      parsed.add(schedule(text));
    }
    ModelBundle bundle = ModelBundle.open(bundleDir);
    LabelledReplay replay = LabelledReplay.of(parsed, LabeledImages.read(labelled.images,
        labelled.labels), seed, bundle.manifest(), batch);
    List<DriftEvaluation.Domain> domains = replay.domains().stream().map(d ->
        new DriftEvaluation.Domain(d.spec(), d.clean(), d.severity())).toList();
    DriftReference reference;
    DriftEvaluation.Result result;
    try (AdaptationStep sessions = bundle.openStep(threads);
        TraceFile traceFile = new TraceFile(trace, domains);
        ProgressBar progress = new ProgressBar(spec.commandLine().getErr(), method,
            replay.count())) {
      AdaptationMethod source = Methods.create("source", bundle, sessions);
      reference = DriftReference.calibrate(bundle, source, Optional.ofNullable(sourceLabels));
      DriftMonitor.Config config = DriftMonitor.Config.defaults();
      result = DriftEvaluation.run(Methods.create(method, bundle, sessions), source, replay,
          domains, reference, new DriftMonitor(config, reference.classes()),
          ConfidenceCalibration.load(bundle, reference, Optional.ofNullable(sourceLabels),
              config.calibrationImages()), traceFile, progress);
    }
    String markdown = DriftReport.markdown(result, DriftReport.summarize(result), reference,
        setup(bundle, parsed));
    PrintWriter out = spec.commandLine().getOut();
    out.print(markdown);
    out.flush();
    if (report != null) {
      Files.writeString(report, markdown);
    }
    return 0;
  }

  private String setup(ModelBundle bundle, List<Schedule> parsed) {
    StringBuilder s = new StringBuilder();
    s.append("## ").append(method).append(" on ").append(bundle.manifest().name())
        .append(", batch ").append(batch).append("\n\n");
    s.append("```\n./attune evaluate-drift --bundle BUNDLE --method ").append(method)
        .append(" --batch ").append(batch);
    for (Schedule sc : parsed) {
      s.append(" \\\n    --schedule '").append(sc.spec()).append('\'');
    }
    if (seed != 42) {
      s.append(" --seed ").append(seed);
    }
    return s.append("\n```").toString();
  }

  private Schedule schedule(String text) throws IOException {
    try {
      return isFile(text) ? Schedule.read(Path.of(text)) : Schedule.parse(text);
    } catch (ScheduleException e) {
      throw new ParameterException(spec.commandLine(), "--schedule: " + e.getMessage(), e);
    }
  }

  private static boolean isFile(String text) {
    try {
      return Files.isRegularFile(Path.of(text));
    } catch (InvalidPathException notAPath) {
      return false;
    }
  }

  /** The optional per-batch CSV. */
  private static final class TraceFile implements Consumer<DriftEvaluation.BatchTrace>,
      AutoCloseable {
    private final BufferedWriter writer;
    private final List<DriftEvaluation.Domain> domains;

    TraceFile(Path file, List<DriftEvaluation.Domain> domains) throws IOException {
      this.domains = domains;
      this.writer = file == null ? null : Files.newBufferedWriter(file);
      if (writer != null) {
        writer.write(DriftReport.traceHeader());
        writer.newLine();
      }
    }

    @Override
    public void accept(DriftEvaluation.BatchTrace t) {
      if (writer == null) {
        return;
      }
      try {
        writer.write(DriftReport.traceRow(t, domains));
        writer.newLine();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write the trace: " + e.getMessage(), e);
      }
    }

    @Override
    public void close() throws IOException {
      if (writer != null) {
        writer.close();
      }
    }
  }
}
