package io.attune.cli;

import io.attune.adaptation.model.InvalidModelException;
import io.attune.adaptation.bundle.ModelBundle;
import io.attune.adaptation.method.AdaNpc;
import io.attune.adaptation.method.MemorySearchBenchmark;
import io.attune.adaptation.method.knn.KnnBenchmark;
import io.attune.simulators.evaluation.ResultsPage;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code attune bench-knn}: nearest-neighbour search latency, exact against IVF. */
@Command(
    name = "bench-knn",
    mixinStandardHelpOptions = true,
    usageHelpAutoWidth = true,
    header = "Time the nearest-neighbour search of AdaNPC and LAME, exact against IVF.",
    description = {
      "",
      "Searches a batch of queries in memories of class-clustered unit vectors of each size, "
          + "brute force (ExactKnn, what AdaNPC's bounded memory and LAME's batch use) and "
          + "through an IVF index of sqrt(size) cells (IvfKnn, for source memories above "
          + "50,000 entries), and prints the medians, the index's build time and its recall "
          + "of the exact neighbours. Single-threaded, like a method step's search.",
      ""
    },
    footer = {"", "Examples:", "  ./attune bench-knn --sizes 64,3000,10000,100000",
        "  ./attune bench-knn --bundle /tmp/bundle --out docs/nonparametric/knn-latency.md",
        "                      # the searches AdaNPC and LAME run with this bundle"})
final class KnnBenchCommand implements Callable<Integer> {

  @Spec
  private CommandSpec spec;

  @Option(names = "--sizes", split = ",", defaultValue = "64,3000,10000,50000,100000",
      paramLabel = "N[,N...]", description = "Memory sizes (default: ${DEFAULT-VALUE}).")
  private int[] sizes;

  @Option(names = "--dim", defaultValue = "128", paramLabel = "D",
      description = "Feature dimension (default: ${DEFAULT-VALUE}, the reference model's).")
  private int dim;

  @Option(names = "--queries", defaultValue = "64", paramLabel = "N",
      description = "Queries per search, a batch (default: ${DEFAULT-VALUE}).")
  private int queries;

  @Option(names = "-k", defaultValue = "10", paramLabel = "K",
      description = "Neighbours per query (default: ${DEFAULT-VALUE}, AdaNPC's).")
  private int k;

  @Option(names = "--probes", defaultValue = "8", paramLabel = "N",
      description = "IVF cells searched per query (default: ${DEFAULT-VALUE}).")
  private int probes;

  @Option(names = "--warmup", defaultValue = "3", paramLabel = "N",
      description = "Untimed iterations first (default: ${DEFAULT-VALUE}).")
  private int warmup;

  @Option(names = "--iterations", defaultValue = "15", paramLabel = "N",
      description = "Timed iterations (default: ${DEFAULT-VALUE}).")
  private int iterations;

  @Option(names = "--bundle", paramLabel = "DIR",
      description = "Instead of random vectors, time the searches AdaNPC and LAME run with "
          + "this bundle (made with --source-memory): AdaNPC's vote over the source memory "
          + "plus a full test memory, LAME's batch graph, at each of --batches; and the IVF "
          + "index's recall on the bundle's features.")
  private Path bundleDir;

  @Option(names = "--batches", split = ",", defaultValue = "64,1", paramLabel = "N[,N...]",
      description = "With --bundle: batch sizes, the queries of one step (default: "
          + "${DEFAULT-VALUE}, the results page's).")
  private int[] batches;

  @Option(names = "--out", paramLabel = "FILE",
      description = "Also write the output to this Markdown file, with the command that made "
          + "it and the machine's load.")
  private Path out;

  @Override
  public Integer call() throws IOException {
    if (Arrays.stream(sizes).anyMatch(s -> s < 1) || dim < 1 || queries < 1 || k < 1
        || probes < 1 || warmup < 0 || iterations < 1
        || Arrays.stream(batches).anyMatch(b -> b < 1)) {
      throw new ParameterException(spec.commandLine(), "--sizes, --batches, --dim, --queries, "
          + "-k, --probes and --iterations must be at least 1, --warmup at least 0");
    }
    double loadBefore = ResultsPage.loadAverage();
    StringWriter text = new StringWriter();
    PrintWriter w = new PrintWriter(text);
    if (bundleDir != null) {
      ModelBundle bundle;
      try {
        bundle = ModelBundle.open(bundleDir);
      } catch (RuntimeException e) {
        throw new ParameterException(spec.commandLine(), "--bundle: " + e.getMessage());
      }
      MemorySearchBenchmark.Result r;
      try {
        r = MemorySearchBenchmark.run(bundle, batches, warmup, iterations);
      } catch (InvalidModelException e) {
        throw new ParameterException(spec.commandLine(), "--bundle: " + e.getMessage());
      }
      printBundle(w, r);
    } else {
      printRandom(w);
    }
    w.flush();
    spec.commandLine().getOut().print(text);
    spec.commandLine().getOut().flush();
    if (out != null) {
      writeDoc(text.toString(), loadBefore);
    }
    return 0;
  }

  private void printBundle(PrintWriter w, MemorySearchBenchmark.Result r) {
    w.printf(Locale.ROOT, "bundle %s: source memory %d x %d, searched %s by AdaNPC; AdaNPC test "
        + "capacity %d; single thread, median of %d%n", bundleDir, r.sourceEntries(), r.dim(),
        r.sourceSearch(), r.capacity(), r.iterations());
    w.printf("%-7s %-50s %8s %8s %4s %10s %14s%n", "method", "search", "entries", "queries",
        "k", "median ms", "us per sample");
    for (MemorySearchBenchmark.Row row : r.rows()) {
      w.printf(Locale.ROOT, "%-7s %-50s %8d %8d %4d %10.3f %14.1f%n", row.method(),
          row.search(), row.entries(), row.queries(), row.k(), row.medianMillis(),
          row.perQueryMicros());
    }
    w.printf(Locale.ROOT, "IVF on the bundle's features (%d cells, %d probed): recall %.3f of "
        + "the exact %d nearest, 64 held-out source rows as queries%n", r.ivfLists(),
        r.ivfProbes(), r.ivfRecall(), AdaNpc.Config.defaults().k());
  }

  private void printRandom(PrintWriter out) {
    KnnBenchmark.Result r = KnnBenchmark.run(sizes, dim, queries, k, probes, warmup,
        iterations);
    out.printf("%d queries of dim %d, k %d, median of %d%n", queries, dim, k, iterations);
    out.printf("%9s %12s %10s %10s %12s %8s%n", "entries", "exact ms", "ivf ms", "recall",
        "ivf build ms", "cells");
    for (KnnBenchmark.Row row : r.rows()) {
      out.printf("%9d %12.2f %10.2f %10.3f %12.0f %8s%n", row.size(), row.exactMillis(),
          row.ivfMillis(), row.ivfRecall(), row.ivfBuildMillis(),
          row.probes() + "/" + row.lists());
    }
  }

  /** The output as a Markdown page that says how to make it again. */
  private void writeDoc(String output, double loadBefore) throws IOException {
    List<String> args = new ArrayList<>(List.of("./attune bench-knn"));
    if (bundleDir != null) {
      args.add("--bundle " + bundleDir);
      args.add("--batches " + Arrays.stream(batches).mapToObj(String::valueOf)
          .collect(Collectors.joining(",")));
    } else {
      args.add("--sizes " + Arrays.stream(sizes).mapToObj(String::valueOf)
          .collect(Collectors.joining(",")));
    }
    args.add("--out " + out);
    String md = "# Nearest-neighbour search latency\n\nGenerated by `attune bench-knn`; do not "
        + "edit by hand. To regenerate:\n\n```bash\n" + String.join(" ", args) + "\n```\n\n"
        + String.format(Locale.ROOT, "- **date**: %s%n- **machine**: %s; one-minute load "
            + "average %.1f at the start and %.1f at the end (shared: latencies are what the "
            + "search got)%n", LocalDate.now(ZoneOffset.UTC), ResultsPage.describeMachine(),
            loadBefore, ResultsPage.loadAverage())
        + (bundleDir == null ? "" : "- **what**: the searches one step of each method runs on "
            + "this bundle, through the methods' own search code: AdaNPC's vote (every sample "
            + "of the batch against the source memory and a full test memory, merged; a step "
            + "searches at most that), LAME's kNN graph of the batch (none at batch size 1). "
            + "The vectors are the bundle's source features; an exact search reads every entry "
            + "whatever its values, so its time depends on the sizes only.\n")
        + "\n```text\n" + output + "```\n";
    Path file = out.toAbsolutePath();
    Files.createDirectories(file.getParent());
    Files.writeString(file, md);
  }
}
