package io.attune.cli;

import io.attune.adaptation.bundle.BundleManifest;
import io.attune.adaptation.bundle.ModelBundle;
import io.attune.adaptation.runtime.AdaptationStep;
import io.attune.simulators.evaluation.Results;
import io.attune.simulators.evaluation.ResultsArchive;
import io.attune.simulators.evaluation.ResultsChart;
import io.attune.simulators.evaluation.ResultsChecks;
import io.attune.simulators.evaluation.ResultsPage;
import io.attune.simulators.evaluation.ResultsPlan;
import io.attune.simulators.evaluation.ResultsRun;
import io.attune.simulators.schedule.LabeledImages;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code attune results}: regenerates docs/results.md (and its chart) from a full run. */
@Command(
    name = "results",
    mixinStandardHelpOptions = true,
    usageHelpAutoWidth = true,
    header = "Regenerate docs/results.md: every method on every corruption, measured.",
    description = {
      "",
      "Runs each method online over every corruption at severity 5 (batch 64, reset per "
          + "corruption), over all corruptions in a row (continual, no reset), at batch size 1 "
          + "(those of source, norm, norm-ema, t3a, t3a+ema, adanpc, adanpc+ema, roid+ema "
          + "asked for; the page says why the others are left out), over the clean test images, "
          + "under label shift and over mixed domains, and writes the page: error per "
          + "corruption and method, means, samples/s, the checks of the expected shape (PASS or "
          + "MISS with the numbers) and why each miss missed. The page is never edited by hand.",
      "",
      "The full test split under 17 corruptions and 9 methods takes hours on two cores, so "
          + "--samples takes a class-stratified subset per corruption; the page says how many.",
      "",
      "Every run is also written to results.json beside the page. --reuse takes over the "
          + "runs that archive holds for the same bundle and section, so adding a method "
          + "measures only that method; --rerun M measures M again after it changed.",
      ""
    },
    footer = {
      "",
      "Examples:",
      "  ./attune prepare models/fmnist-resnet/model.onnx --out /tmp/bundle \\",
      "      --source-memory models/fmnist-resnet/source-memory/features.npy \\",
      "                      models/fmnist-resnet/source-memory/labels.npy \\",
      "      --source-images models/fmnist-resnet/source-memory/images.npy",
      "  ./attune results --bundle /tmp/bundle --samples 2000",
      "  ./attune results --bundle /tmp/bundle --samples 2000 --reuse \\",
      "      --methods source,norm,norm-ema,tent,eata,sar,lame",
      "  ./attune results --bundle /tmp/bundle --samples 200 --methods source,norm,tent \\",
      "      --out /tmp/results.md",
      "  ./attune results --drift --bundle /tmp/bundle     # only the drift section (issue 10)"
    })
final class ResultsCommand implements Callable<Integer> {

  @Spec
  private CommandSpec spec;

  @Option(names = "--bundle", required = true, paramLabel = "DIR",
      description = "The model bundle (made by 'attune prepare' with --source-images, which "
          + "EATA needs).")
  private Path bundleDir;

  @Option(names = "--out", paramLabel = "FILE",
      defaultValue = "${sys:attune.home:-.}/docs/results.md",
      description = "The page to write (default: ${DEFAULT-VALUE}).")
  private Path out;

  @Option(names = "--chart", paramLabel = "FILE",
      description = "The PNG bar chart of mean error per method (default: results.png beside "
          + "--out).")
  private Path chart;

  @Option(names = "--no-chart", description = "Draw no chart.")
  private boolean noChart;

  @Option(names = "--samples", paramLabel = "N", defaultValue = "2000",
      description = "Images per corruption, a class-stratified subset of the test split "
          + "(default: ${DEFAULT-VALUE}; 10000 is all of it).")
  private int samples;

  @Option(names = "--batch1-samples", paramLabel = "N", defaultValue = "500",
      description = "Images per corruption at batch size 1 (default: ${DEFAULT-VALUE}).")
  private int batchOneSamples;

  @Option(names = "--clean-samples", paramLabel = "N", defaultValue = "10000",
      description = "Clean images (default: ${DEFAULT-VALUE}, the whole test split: the clean "
          + "cost is a fraction of a point, which a subset would blur).")
  private int cleanSamples;

  @Option(names = "--label-shift-samples", paramLabel = "N", defaultValue = "300",
      description = "Images per corruption in the label-shift sections (class-sorted and "
          + "Dirichlet order, severities 3 and 5); 0 skips them (default: ${DEFAULT-VALUE}).")
  private int labelShiftSamples;

  @Option(names = "--mixed-samples", paramLabel = "N", defaultValue = "500",
      description = "Images per corruption in the mixed-domains section; 0 skips it "
          + "(default: ${DEFAULT-VALUE}).")
  private int mixedSamples;

  @Option(names = "--archive", paramLabel = "FILE",
      description = "Where every run is also written as JSON (default: results.json beside "
          + "--out).")
  private Path archive;

  @Option(names = "--reuse", description = "Take over from the archive the runs it holds for "
      + "the same bundle and section instead of measuring them again (the page says which); "
      + "what the archive lacks is measured. For adding a method without hours of re-running "
      + "the others.")
  private boolean reuse;

  @Option(names = "--rerun", paramLabel = "M", split = ",",
      description = "With --reuse: measure these methods again even where the archive has "
          + "them (after a method changed).")
  private List<String> rerun = new ArrayList<>();

  @Option(names = "--methods", paramLabel = "M", split = ",",
      description = "Methods to run, in table order (default: "
          + "source,norm,norm-ema,tent,eata,sar,tent+guard,eata+guard,sar+guard).")
  private List<String> methods;

  @Option(names = "--threads", paramLabel = "N", defaultValue = "0",
      description = "ONNX Runtime intra-op threads; 0 = one per core (default: ${DEFAULT-VALUE}).")
  private int threads;

  @Mixin
  private LabelledImagesOptions labelled = new LabelledImagesOptions();

  @Option(names = "--drift",
      description = "Instead of the methods' sections, regenerate the page's drift section "
          + "(issue 10: detection delays, false alarms, accuracy estimates, guarded "
          + "publishing; TENT at batch 64, about 1,500 batches) and its reports in "
          + "--drift-reports; the rest of the page stays as it is.")
  private boolean drift;

  @Option(names = "--drift-reports", paramLabel = "DIR",
      defaultValue = "${sys:attune.home:-.}/docs/drift",
      description = "Where --drift writes a report per schedule (default: ${DEFAULT-VALUE}).")
  private Path driftReports;

  @Override
  public Integer call() throws Exception {
    if (drift) {
      return drift();
    }
    ResultsPlan plan = plan();
    ModelBundle bundle = ModelBundle.open(bundleDir);
    Path archiveFile = archive != null ? archive
        : out.toAbsolutePath().resolveSibling("results.json");
    String model = modelKey(bundle);
    ResultsArchive.Archive archived = ResultsArchive.Archive.empty();
    if (reuse) {
      try {
        archived = ResultsArchive.read(archiveFile);
      } catch (IllegalArgumentException e) {
        throw new ParameterException(spec.commandLine(), "--reuse: " + e.getMessage());
      }
      if (!archived.model().equals(model)) {
        throw new ParameterException(spec.commandLine(), "--reuse: " + archiveFile + " was "
            + "measured on another model (" + archived.model() + "), not " + model);
      }
    }
    LabeledImages source = LabeledImages.read(labelled.images, labelled.labels);
    double loadBefore = ResultsPage.loadAverage();
    Results results;
    try (AdaptationStep sessions = bundle.openStep(threads);
        ProgressBar progress = new ProgressBar(spec.commandLine().getErr(), "results",
            plan.totalSamples(source.count()))) {
      results = ResultsRun.run(bundle, sessions, source, plan, progress, archived,
          new java.util.HashSet<>(rerun));
    }
    Path chartFile = noChart ? null
        : chart != null ? chart : out.toAbsolutePath().resolveSibling("results.png");
    String today = LocalDate.now(ZoneOffset.UTC).toString();
    long runs = results.sections().stream().mapToLong(s -> s.runs().size()).sum();
    String machine = results.reused().size() == runs
        ? ResultsPage.describeMachine() + "; every run below was taken over from the archive, "
            + "so its speed is what the method got when it was measured, under the load of that "
            + "day (the machine is shared), not on this regeneration"
        : machine(loadBefore, ResultsPage.loadAverage());
    ResultsPage.Context context = new ResultsPage.Context(command(), describe(bundle),
        machine, today, chartFile == null ? null
            : out.toAbsolutePath().getParent().relativize(chartFile.toAbsolutePath())
                .toString(), results.reused().isEmpty() ? null : archived.date());
    ResultsPage.write(results, context, out);
    ResultsArchive.write(results, model, today, archiveFile);
    if (chartFile != null) {
      ResultsChart.write(results, chartFile);
    }
    print(spec.commandLine().getOut(), results, out, chartFile);
    return 0;
  }

  private int drift() throws java.io.IOException {
    double loadBefore = ResultsPage.loadAverage();
    long start = System.nanoTime();
    var outcomes = DriftSuite.run(bundleDir, labelled.images, labelled.labels, driftReports,
        out, threads, "./attune results --drift --bundle " + bundleDir,
        String.format(Locale.ROOT, "%s; one-minute load average %.1f at the start (shared)",
            ResultsPage.describeMachine(), loadBefore),
        LocalDate.now(ZoneOffset.UTC).toString(), spec.commandLine().getErr());
    PrintWriter w = spec.commandLine().getOut();
    w.printf(Locale.ROOT, "took     %.1f min for %d runs%n", (System.nanoTime() - start) / 6e10,
        outcomes.size());
    w.printf("page     %s (section drift)%n", out);
    w.printf("reports  %s%n", driftReports);
    return 0;
  }

  private ResultsPlan plan() {
    List<String> chosen = methods == null || methods.isEmpty() ? ResultsPlan.DEFAULT_METHODS
        : methods.stream().map(String::strip).toList();
    try {
      return ResultsPlan.standard(chosen, samples, batchOneSamples, cleanSamples,
          labelShiftSamples, mixedSamples);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
  }

  /** The command line that regenerates the page, with the options that differ from defaults. */
  private String command() {
    List<String> parts = new ArrayList<>(List.of("./attune results --bundle " + bundleDir,
        "--samples " + samples));
    if (batchOneSamples != 500) {
      parts.add("--batch1-samples " + batchOneSamples);
    }
    if (cleanSamples != 10000) {
      parts.add("--clean-samples " + cleanSamples);
    }
    if (labelShiftSamples != 300) {
      parts.add("--label-shift-samples " + labelShiftSamples);
    }
    if (mixedSamples != 500) {
      parts.add("--mixed-samples " + mixedSamples);
    }
    if (methods != null && !methods.isEmpty()) {
      parts.add("--methods " + String.join(",", methods));
    }
    return String.join(" ", parts);
  }

  /** What an archive must have been measured on: the source model's digest, else its name. */
  private static String modelKey(ModelBundle bundle) {
    BundleManifest m = bundle.manifest();
    return m.sourceSha256() == null ? m.name() : m.name() + "@sha256:" + m.sourceSha256();
  }

  private static String describe(ModelBundle bundle) {
    BundleManifest m = bundle.manifest();
    String sha = m.sourceSha256() == null ? "" : m.sourceSha256();
    return String.format(Locale.ROOT, "%s (`%s`), prepared from %s (SHA-256 %s...)%s: %d "
        + "normalization layers, %d adapted parameters, %d classes; source images for EATA's "
        + "Fisher information: %s", m.name(), bundle.dir(), m.sourceModel(),
        sha.substring(0, Math.min(12, sha.length())),
        m.insertedNormalization() ? " with normalization re-inserted after folded convolutions"
            : "", m.layers().size(), m.parameterCount(), m.head().classes(),
        bundle.sourceImages().isPresent() ? "yes" : "none");
  }

  private static String machine(double loadBefore, double loadAfter) {
    return String.format(Locale.ROOT, "%s; one-minute load average %.1f at the start and %.1f "
        + "at the end (the machine is shared: speeds are what the methods got, not what it "
        + "can do)", ResultsPage.describeMachine(), loadBefore, loadAfter);
  }

  private static void print(PrintWriter out, Results results, Path page, Path chartFile) {
    for (ResultsChecks.Check c : ResultsChecks.of(results)) {
      out.printf("%-7s %s: %s%n", c.status(), c.expectation(), c.detail());
    }
    out.printf(Locale.ROOT, "took     %.1f min%s%n", results.seconds() / 60,
        results.reused().isEmpty() ? "" : " (" + results.reused().size()
            + " runs taken over from the archive)");
    out.printf("page     %s%n", page);
    if (chartFile != null) {
      out.printf("chart    %s%n", chartFile);
    }
  }
}
