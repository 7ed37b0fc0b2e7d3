package io.attune.cli;

import io.attune.simulators.export.ExportFormat;
import io.attune.simulators.export.ExportSummary;
import io.attune.simulators.export.ShiftExport;
import io.attune.simulators.schedule.LabeledImages;
import io.attune.simulators.schedule.Schedule;
import io.attune.simulators.schedule.ShiftStream;
import io.attune.simulators.schedule.Stage;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code attune simulate export}: a schedule played over labelled images, written to files. */
@Command(
    name = "export",
    mixinStandardHelpOptions = true,
    usageHelpAutoWidth = true,
    header = "Write a shifted stream as IDX or .npy files.",
    description = {
      "",
      "Writes images (uint8, N x 28 x 28 for Fashion-MNIST), labels, the domain index of each "
          + "sample and its open-set flag, plus schedule.json (the schedule, seed and each "
          + "domain's corruption, severity and count). Labels are uint8, or int8 with -1 for "
          + "open-set samples. The same schedule and seed always give the same bytes.",
      ""
    },
    footer = {
      "",
      "Examples:",
      "  ./attune simulate export --schedule gaussian_noise:5 --out /tmp/gauss5",
      "  ./attune simulate export --schedule 'gradual:fog,contrast+samples:1000' \\",
      "      --out /tmp/gradual --format npy",
      "  ./attune simulate export --schedule my-schedule.json --out /tmp/mine --seed 7"
    })
final class SimulateExportCommand implements Callable<Integer> {

  @Spec
  private CommandSpec spec;

  @Option(names = "--schedule", required = true, paramLabel = "SPEC",
      description = "A compact schedule (e.g. continual:gaussian_noise:5,fog:5+sorted), its JSON "
          + "form, or a file holding either.")
  private String schedule;

  @Option(names = "--out", required = true, paramLabel = "DIR",
      description = "Directory to write; created if missing, earlier export files replaced.")
  private Path out;

  @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "idx",
      description = "idx (gzipped IDX, like Fashion-MNIST) or npy (default: ${DEFAULT-VALUE}).")
  private String format;

  @Option(names = "--seed", paramLabel = "N", defaultValue = "0",
      description = "Seed of every random choice (default: ${DEFAULT-VALUE}).")
  private long seed;

  @Option(names = "--limit", paramLabel = "N",
      description = "Write only the first N samples of the stream.")
  private Long limit;

  @Mixin
  private LabelledImagesOptions labelled = new LabelledImagesOptions();


  @Override
  public Integer call() throws IOException {
    final ExportFormat exportFormat = exportFormat();
    final Schedule parsed = schedule();
    if (limit != null && limit < 1) {
      throw bad("--limit must be at least 1, got " + limit);
    }
    requireFile("--images", labelled.images);
    requireFile("--labels", labelled.labels);
    ShiftStream stream = ShiftStream.open(parsed,
        LabeledImages.read(labelled.images, labelled.labels), seed);
    if (limit != null) {
      stream = stream.limit(limit);
    }
    final ExportSummary summary;
    final double seconds;
    try (ProgressBar progress =
        new ProgressBar(spec.commandLine().getErr(), "export", stream.length())) {
      summary = ShiftExport.write(stream, out, exportFormat, progress);
      seconds = progress.elapsedSeconds();
    }
    report(spec.commandLine().getOut(), parsed, stream, summary, seconds);
    return 0;
  }

  private ExportFormat exportFormat() {
    try {
      return ExportFormat.valueOf(format.strip().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw bad("--format must be idx or npy, got '" + format + "'");
    }
  }

  private Schedule schedule() throws IOException {
    return ScheduleArgument.parse(spec, schedule);
  }

  private void requireFile(String option, Path file) {
    if (!Files.isRegularFile(file)) {
      throw bad(option + " " + file + ": no such file");
    }
  }

  private ParameterException bad(String message) {
    return new ParameterException(spec.commandLine(), message);
  }

  private void report(PrintWriter out, Schedule parsed, ShiftStream stream,
      ExportSummary summary, double seconds) {
    out.printf("schedule  %s (seed %d)%n", parsed.spec(), seed);
    out.printf("samples   %d in %d domains%n", summary.samples(), stream.stages().size());
    for (Stage stage : stream.stages()) {
      out.printf("  %3d  %-22s %8d%n", stage.index(), stage.domain().spec(),
          summary.perDomain().get(stage.index()));
    }
    out.printf("wrote     %s: %s, %s, %s, %s, %s%n", summary.directory(),
        summary.images().getFileName(), summary.labels().getFileName(),
        summary.domains().getFileName(), summary.ood().getFileName(),
        summary.description().getFileName());
    out.printf(Locale.ROOT, "time      %.1f s (%.0f samples/s)%n", seconds,
        summary.samples() / Math.max(seconds, 1e-9));
    if (parsed.openSet() == 0) {
      out.printf("evaluate  ./attune evaluate --images %s --labels %s%n", summary.images(),
          summary.labels());
    }
  }
}
