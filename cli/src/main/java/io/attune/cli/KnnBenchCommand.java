package io.attune.cli;

import io.attune.adaptation.method.knn.KnnBenchmark;
import java.io.PrintWriter;
import java.util.Arrays;
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
    footer = {"", "Example:", "  ./attune bench-knn --sizes 64,3000,10000,100000"})
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

  @Override
  public Integer call() {
    if (Arrays.stream(sizes).anyMatch(s -> s < 1) || dim < 1 || queries < 1 || k < 1
        || probes < 1 || warmup < 0 || iterations < 1) {
      throw new ParameterException(spec.commandLine(), "--sizes, --dim, --queries, -k, "
          + "--probes and --iterations must be at least 1, --warmup at least 0");
    }
    KnnBenchmark.Result r = KnnBenchmark.run(sizes, dim, queries, k, probes, warmup,
        iterations);
    PrintWriter out = spec.commandLine().getOut();
    out.printf("%d queries of dim %d, k %d, median of %d%n", queries, dim, k, iterations);
    out.printf("%9s %12s %10s %10s %12s %8s%n", "entries", "exact ms", "ivf ms", "recall",
        "ivf build ms", "cells");
    for (KnnBenchmark.Row row : r.rows()) {
      out.printf("%9d %12.2f %10.2f %10.3f %12.0f %8s%n", row.size(), row.exactMillis(),
          row.ivfMillis(), row.ivfRecall(), row.ivfBuildMillis(),
          row.probes() + "/" + row.lists());
    }
    return 0;
  }
}
