package io.attune.cli;

import io.attune.adaptation.data.LabeledReader;
import io.attune.broker.EmbeddedKafka;
import io.attune.simulators.corruption.Corruption;
import io.attune.simulators.corruption.CorruptionRegistry;
import io.attune.simulators.corruption.ImageShape;
import io.attune.topology.bench.WorkerBenchmark;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code attune bench-worker}: what the Kafka service costs on top of the method itself. */
@Command(
    name = "bench-worker",
    mixinStandardHelpOptions = true,
    usageHelpAutoWidth = true,
    header = "Compare a method's throughput through a worker with the method alone.",
    description = {
      "",
      "Runs the same method on the same corrupted test images in one process: offline, "
          + "timing only the adaptation steps (as 'attune evaluate' does), before and after "
          + "a run through an embedded Kafka broker and a worker with exactly-once "
          + "processing, timed from the worker reaching RUNNING to the last adapted prediction "
          + "a read_committed consumer sees, after an untimed warm-up worker. Prints the rates, "
          + "the ratio of the worker's to the mean offline rate, where the worker's wall time "
          + "went and the process's CPU time per batch in both settings; compare ratios, "
          + "not rates across runs.",
      ""
    },
    footer = {"", "Example:",
      "  ./attune bench-worker --bundle /tmp/bundle --method tent --samples 2560"})
final class WorkerBenchCommand implements Callable<Integer> {

  @Spec
  private CommandSpec spec;

  @Option(names = "--bundle", required = true, paramLabel = "DIR", description = "Model bundle.")
  private Path bundleDir;

  @Option(names = "--method", defaultValue = "tent", paramLabel = "NAME",
      completionCandidates = MethodNames.class,
      description = "Method: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
  private String method;

  @Option(names = "--batch", defaultValue = "64", paramLabel = "N",
      description = "Batch size (default: ${DEFAULT-VALUE}).")
  private int batch;

  @Option(names = "--threads", defaultValue = "2", paramLabel = "N",
      description = "ONNX Runtime threads in both settings (default: ${DEFAULT-VALUE}).")
  private int threads;

  @Option(names = "--samples", defaultValue = "2560", paramLabel = "N",
      description = "Test images to run, rounded down to whole batches "
          + "(default: ${DEFAULT-VALUE}).")
  private int samples;

  @Option(names = "--corruption", defaultValue = "gaussian_noise:5", paramLabel = "NAME:SEV",
      description = "Shift applied to the images (default: ${DEFAULT-VALUE}).")
  private String corruption;

  @Option(names = "--set", paramLabel = "KEY=VALUE",
      description = "Worker configuration key for the run, e.g. kafka.commit.interval.ms=1000; "
          + "repeatable.")
  private java.util.Map<String, String> workerProps = new java.util.LinkedHashMap<>();

  @Mixin
  private LabelledImagesOptions data = new LabelledImagesOptions();

  @Override
  public Integer call() throws Exception {
    if (batch < 1 || threads < 1 || samples < batch) {
      throw new ParameterException(spec.commandLine(), "--batch and --threads must be at least "
          + "1 and --samples at least one batch");
    }
    String[] parts = corruption.split(":");
    Corruption shift = CorruptionRegistry.standard().find(parts[0]).orElseThrow(() ->
        new ParameterException(spec.commandLine(), "--corruption: unknown '" + parts[0] + "'"));
    int severity = parts.length > 1 ? Integer.parseInt(parts[1]) : 5;
    List<byte[]> images = corrupted(shift, severity);
    WorkerBenchmark.Result r;
    try (ProgressBar progress = new ProgressBar(spec.commandLine().getErr(), "worker",
        images.size() / batch * batch)) {
      try (EmbeddedKafka broker = EmbeddedKafka.start(EmbeddedKafka.Options.defaults())) {
        r = WorkerBenchmark.run(broker.bootstrapServers(), bundleDir, method, batch, threads,
            images, workerProps, n -> progress.accept(n));
      }
    }
    PrintWriter out = spec.commandLine().getOut();
    out.printf("%s on %s, batch %d, %d threads, %d samples%n", method, corruption, batch,
        threads, r.samples());
    out.printf("%-48s %12s%n", "", "samples/s");
    out.printf("%-48s %12.0f%n", "method alone, before the worker", r.offlineBefore());
    out.printf("%-48s %12.0f%n", "method alone, after the worker", r.offlineAfter());
    out.printf("%-48s %12.0f%n", "method alone (steps timed, as in evaluate), mean",
        r.offlineSamplesPerSecond());
    out.printf("%-48s %12.0f%n", "through broker + worker (exactly-once)",
        r.workerSamplesPerSecond());
    out.printf("%-48s %12.2f%n", "ratio worker / alone", r.ratio());
    out.printf("worker wall time %.1f s: the method's steps %.0f%%, drift monitoring %.0f%%, "
        + "Kafka, stores and records %.0f%%%n", r.workerSeconds(),
        100 * (r.stepSeconds() - r.monitorSeconds()) / r.workerSeconds(),
        100 * r.monitorSeconds() / r.workerSeconds(),
        100 * (1 - r.stepSeconds() / r.workerSeconds()));
    out.printf("  of which waiting on Kafka %.1f s: %d exactly-once commits %.1f s, polls %.1f s%n",
        r.kafka().blockedSeconds(), r.kafka().commits(), r.kafka().commitSeconds(),
        r.kafka().blockedSeconds() - r.kafka().commitSeconds());
    out.printf("CPU time per batch, whole process: method alone %.0f ms, worker %.0f ms "
        + "(x%.2f; worker, broker and the benchmark's consumer)%n",
        1e3 * r.offlineCpuPerBatch(), 1e3 * r.workerCpuPerBatch(),
        r.workerCpuPerBatch() / r.offlineCpuPerBatch());
    return 0;
  }

  private List<byte[]> corrupted(Corruption shift, int severity) throws Exception {
    List<byte[]> images = new ArrayList<>();
    try (LabeledReader reader = LabeledReader.open(data.images,
        data.labels)) {
      byte[] pixels = reader.images().readBytes(samples);
      ImageShape shape = new ImageShape(1, 28, 28);
      for (int i = 0; i < samples; i++) {
        images.add(shift.apply(Arrays.copyOfRange(pixels, i * 784, (i + 1) * 784), shape,
            severity, i));
      }
    }
    return images;
  }
}
