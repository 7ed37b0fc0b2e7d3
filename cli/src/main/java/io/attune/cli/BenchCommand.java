package io.attune.cli;

import io.attune.adaptation.bundle.ModelBundle;
import io.attune.adaptation.runtime.AdaptationStep;
import io.attune.adaptation.runtime.EdgeSession;
import io.attune.adaptation.runtime.OrtProfile;
import io.attune.adaptation.runtime.RuntimeOptions;
import io.attune.adaptation.runtime.StepBenchmark;
import java.io.IOException;
import java.nio.file.Files;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code attune bench}: the cost of adapting, relative to the cost of inferring. */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    usageHelpAutoWidth = true,
    header = "Time one adaptation step against one edge inference on the same batch.",
    description = {
      "",
      "Interleaves edge-graph inferences and adaptation steps (forward with batch statistics, "
          + "TENT's entropy gradient, backward) on a random batch, and prints their medians and "
          + "the ratio step / inference, measured in this one run; then the source model's "
          + "forward that a worker's drift monitoring adds to every step, on its inference "
          + "session and on the adaptation session that keeps the backward's tensors, and its "
          + "ratio to the step. Machines are noisy: compare ratios, not milliseconds across "
          + "runs.",
      ""
    },
    footer = {"", "Examples:", "  ./attune bench --bundle /tmp/bundle --batch 64 --threads 2",
        "  ./attune bench --bundle /tmp/bundle --profile /tmp/profiles   "
            + "# and where the time goes"})
final class BenchCommand implements Callable<Integer> {

  @Spec
  private CommandSpec spec;

  @Option(names = "--bundle", required = true, paramLabel = "DIR", description = "Model bundle.")
  private Path bundleDir;

  @Option(names = "--batch", defaultValue = "64", paramLabel = "N",
      description = "Samples per batch (default: ${DEFAULT-VALUE}).")
  private int batch;

  @Option(names = "--threads", defaultValue = "2", paramLabel = "N",
      description = "ONNX Runtime intra-op threads for both (default: ${DEFAULT-VALUE}).")
  private int threads;

  @Option(names = "--warmup", defaultValue = "5", paramLabel = "N",
      description = "Untimed iterations first (default: ${DEFAULT-VALUE}).")
  private int warmup;

  @Option(names = "--iterations", defaultValue = "30", paramLabel = "N",
      description = "Timed iterations (default: ${DEFAULT-VALUE}).")
  private int iterations;

  @Option(names = "--profile", paramLabel = "DIR",
      description = "Then run again with ONNX Runtime's profiler, write each graph's profile "
          + "to DIR and print the kernel time per operator type of the edge graph and the "
          + "step's forward and backward. Profiling inflates small nodes: compare shares.")
  private Path profileDir;

  @Override
  public Integer call() {
    if (batch < 1 || threads < 0 || warmup < 0 || iterations < 1) {
      throw new ParameterException(spec.commandLine(), "--batch and --iterations must be at "
          + "least 1, --threads and --warmup at least 0");
    }
    ModelBundle bundle = ModelBundle.open(bundleDir);
    StepBenchmark.Result r;
    try (ProgressBar progress = new ProgressBar(spec.commandLine().getErr(), "bench",
        iterations)) {
      r = StepBenchmark.run(bundle, batch, threads, warmup, iterations, progress::accept);
    }
    PrintWriter out = spec.commandLine().getOut();
    out.printf("%s, batch %d, %d threads, median of %d%n", bundle.manifest().name(), batch,
        threads, iterations);
    out.printf("%-34s %10s %12s%n", "", "ms/batch", "samples/s");
    out.printf("%-34s %10.2f %12.0f%n", "edge inference (forward only)", r.inferenceMedian(),
        r.samplesPerSecond(r.inferenceMedian()));
    out.printf("%-34s %10.2f %12.0f%n", "adaptation step (forward+backward)", r.stepMedian(),
        r.samplesPerSecond(r.stepMedian()));
    out.printf("%-34s %10.2f%n", "ratio step / inference", r.ratio());
    out.printf("%-34s %10.2f %12.0f%n", "drift monitoring's source forward", r.sourceMedian(),
        r.samplesPerSecond(r.sourceMedian()));
    out.printf("%-34s %10.2f %12.0f%n", "  same, keeping backward tensors", r.keptSourceMedian(),
        r.samplesPerSecond(r.keptSourceMedian()));
    out.printf("%-34s %10.2f%n", "ratio source forward / step", r.monitoringShare());
    if (profileDir != null) {
      printProfiles(bundle, out);
    }
    return 0;
  }

  private void printProfiles(ModelBundle bundle, PrintWriter out) {
    try {
      Files.createDirectories(profileDir);
    } catch (IOException e) {
      throw new ParameterException(spec.commandLine(), "--profile: cannot create " + profileDir
          + ": " + e.getMessage());
    }
    try (ProgressBar progress = new ProgressBar(spec.commandLine().getErr(), "profile",
        iterations)) {
      StepBenchmark.run(bundle, batch, RuntimeOptions.cpu(threads).withProfiling(profileDir),
          warmup, iterations, progress::accept);
    }
    for (String graph : List.of(EdgeSession.GRAPH, AdaptationStep.FORWARD_GRAPH,
        AdaptationStep.BACKWARD_GRAPH)) {
      OrtProfile profile = OrtProfile.find(profileDir, graph).orElseThrow(() ->
          new IllegalStateException("ONNX Runtime wrote no profile of " + graph + " to "
              + profileDir));
      out.println();
      out.printf("profile of %s: %d nodes, %.2f ms/run (kernels %.2f), %d runs%n", graph,
          profile.nodes(), profile.runMillis(), profile.kernelMillis(), profile.runs());
      out.printf("  %-22s %9s %6s %7s%n", "operator", "ms/run", "nodes", "share");
      for (OrtProfile.Operator op : profile.operators()) {
        out.printf("  %-22s %9.2f %6d %6.1f%%%n", op.type(), op.millisPerRun(), op.nodes(),
            100 * op.millisPerRun() / profile.kernelMillis());
      }
    }
  }
}
