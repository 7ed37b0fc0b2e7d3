package io.attune.cli;

import io.attune.adaptation.bundle.ModelBundle;
import io.attune.adaptation.data.LongData;
import io.attune.adaptation.data.NpyWriter;
import io.attune.adaptation.data.Shape;
import io.attune.adaptation.eval.LabelledFiles;
import io.attune.adaptation.eval.RunReport;
import io.attune.adaptation.eval.StreamEvaluation;
import io.attune.adaptation.method.AdaptationMethod;
import io.attune.adaptation.method.Hyperparameters;
import io.attune.adaptation.method.Methods;
import io.attune.adaptation.method.Outputs;
import io.attune.adaptation.runtime.AdaptationStep;
import io.attune.simulators.evaluation.ShiftBatches;
import io.attune.simulators.schedule.LabeledImages;
import io.attune.simulators.schedule.Schedule;
import io.attune.simulators.schedule.ShiftStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import java.util.function.IntFunction;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/**
 * {@code attune evaluate --bundle}: a method over a labelled stream (files, or a schedule played
 * by the simulator), printed per domain and optionally written as a report.
 */
final class AdaptationRun implements Callable<Integer> {

  /**
   * What to run.
   *
   * @param schedule a schedule (text or file) to play over images/labels, or null to read
   *     images/labels/domains as the stream itself
   * @param report a {@code .md} or {@code .json} file to write, or null
   * @param predictions a {@code .npy} file for the predicted class of every sample, or null
   */
  record Options(Path bundleDir, String method, Map<String, String> hyperparameters,
      Path images, Path labels, Path domains, String schedule, long seed, String reset,
      int batch, int threads, Path report, Path predictions) {}

  /** The batches with what the report says about them. */
  private record Stream(Iterable<StreamEvaluation.LabelledBatch> batches, long count,
      IntFunction<String> domainName, String description, Closeable resource)
      implements Closeable {

    @Override
    public void close() throws IOException {
      resource.close();
    }
  }

  private final CommandSpec spec;
  private final Options options;

  AdaptationRun(CommandSpec spec, Options options) {
    this.spec = spec;
    this.options = options;
  }

  @Override
  public Integer call() throws Exception {
    StreamEvaluation.Reset when = reset();
    if (!Methods.NAMES.contains(options.method())) {
      throw bad("unknown method '" + options.method() + "'; known: "
          + String.join(", ", Methods.NAMES));
    }
    if (options.report() != null) {
      try {
        RunReport.Format.of(options.report());
      } catch (IllegalArgumentException e) {
        throw bad("--report: " + e.getMessage());
      }
    }
    if (options.schedule() != null && options.domains() != null) {
      throw bad("--domains goes with a stream read from files; a --schedule knows its domains");
    }
    ModelBundle bundle = ModelBundle.open(options.bundleDir());
    int classes = bundle.manifest().head().classes();
    RunReport report;
    PredictedClasses predicted = new PredictedClasses();
    try (Stream stream = open(bundle, when);
        AdaptationStep sessions = bundle.openStep(options.threads());
        ProgressBar progress = new ProgressBar(spec.commandLine().getErr(), options.method(),
            stream.count())) {
      AdaptationMethod adapted;
      try {
        adapted = Methods.create(options.method(), bundle, sessions,
            Hyperparameters.of(options.hyperparameters()));
      } catch (IllegalArgumentException e) {
        throw bad("--hyper: " + e.getMessage());
      }
      AdaptationMethod source = Methods.create("source", bundle, sessions);
      StreamEvaluation.Result result = StreamEvaluation.run(adapted, source, stream.batches(),
          classes, when, progress, predicted);
      report = RunReport.of(result, options.method(), bundle.manifest().name(),
          options.bundleDir().toString(), options.batch(), when, stream.description(),
          stream.domainName());
    }
    PrintWriter out = spec.commandLine().getOut();
    print(out, report);
    if (options.report() != null) {
      report.write(options.report());
      out.printf("report   %s%n", options.report());
    }
    if (options.predictions() != null) {
      NpyWriter.write(options.predictions(), predicted.toData());
      out.printf("predictions %s%n", options.predictions());
    }
    return 0;
  }

  /** The argmax of every sample's adapted probabilities, batch after batch. */
  static final class PredictedClasses implements Consumer<Outputs> {
    private long[] classes = new long[1024];
    private int count;

    @Override
    public void accept(Outputs outputs) {
      float[] p = outputs.probabilities();
      int k = outputs.classes();
      int rows = p.length / k;
      if (count + rows > classes.length) {
        classes = Arrays.copyOf(classes, Math.max(2 * classes.length, count + rows));
      }
      for (int r = 0; r < rows; r++) {
        int best = 0;
        for (int c = 1; c < k; c++) {
          if (p[r * k + c] > p[r * k + best]) {
            best = c;
          }
        }
        classes[count++] = best;
      }
    }

    LongData toData() {
      return new LongData(Shape.of(count), Arrays.copyOf(classes, count));
    }
  }

  private StreamEvaluation.Reset reset() {
    return switch (options.reset()) {
      case "per-domain" -> StreamEvaluation.Reset.PER_DOMAIN;
      case "never" -> StreamEvaluation.Reset.NEVER;
      default -> throw bad("--reset must be per-domain or never, got '" + options.reset() + "'");
    };
  }

  private Stream open(ModelBundle bundle, StreamEvaluation.Reset when) throws IOException {
    boolean cut = when == StreamEvaluation.Reset.PER_DOMAIN;
    if (options.schedule() == null) {
      LabelledFiles files = LabelledFiles.open(options.images(), options.labels(),
          options.domains(), bundle.manifest(), options.batch(), cut);
      return new Stream(files, files.count(), Integer::toString,
          "files " + options.images() + ", " + options.labels()
              + (options.domains() == null ? "" : ", " + options.domains()), files);
    }
    Schedule schedule = ScheduleArgument.parse(spec, options.schedule());
    ShiftStream shifted = ShiftStream.open(schedule,
        LabeledImages.read(options.images(), options.labels()), options.seed());
    ShiftBatches batches;
    try {
      batches = ShiftBatches.of(shifted, bundle.manifest(), options.batch(), cut);
    } catch (IllegalArgumentException e) {
      throw bad("--schedule: " + e.getMessage());
    }
    return new Stream(batches, batches.count(), batches::domainName,
        String.format(Locale.ROOT, "schedule %s over %s (seed %d)", schedule.spec(),
            options.images().getFileName(), options.seed()), () -> { });
  }

  private ParameterException bad(String message) {
    return new ParameterException(spec.commandLine(), message);
  }

  private static void print(PrintWriter out, RunReport r) {
    out.printf("%s on %s, batch %d, reset %s%n", r.method(), r.model(), r.batch(),
        RunReport.resetName(r.reset()));
    out.printf("stream   %s%n", r.stream());
    int width = Math.max(8, r.domains().stream().mapToInt(d -> d.name().length()).max()
        .orElse(0));
    out.printf("%-" + width + "s %9s %14s %14s%n", "domain", "samples", "source error",
        r.method() + " error");
    for (RunReport.DomainReport d : r.domains()) {
      out.printf(Locale.ROOT, "%-" + width + "s %9d %13.2f%% %13.2f%%%n", d.name(),
          d.labelled(), 100 * d.sourceError(), 100 * d.error());
    }
    out.printf(Locale.ROOT, "%-" + width + "s %9d %13.2f%% %13.2f%%%n", "all", r.samples(),
        100 * r.sourceError(), 100 * r.error());
    out.printf(Locale.ROOT, "speed    %.0f samples/s (%s alone)%n", r.samplesPerSecond(),
        r.method());
    out.printf(Locale.ROOT, "used     %.1f%% of samples for adaptation%n", 100 * r.shareUsed());
  }
}
