package io.attune.cli;

import io.attune.adaptation.bundle.ModelBundle;
import io.attune.adaptation.eval.LabelledFiles;
import io.attune.adaptation.eval.StreamEvaluation;
import io.attune.adaptation.method.AdaptationMethod;
import io.attune.adaptation.method.Methods;
import io.attune.adaptation.runtime.AdaptationStep;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/** {@code attune evaluate --bundle}: a method over a labelled stream, printed per domain. */
final class AdaptationRun implements Callable<Integer> {

  private final CommandSpec spec;
  private final Path bundleDir;
  private final String method;
  private final Path images;
  private final Path labels;
  private final Path domains;
  private final String reset;
  private final int batch;
  private final int threads;

  AdaptationRun(CommandSpec spec, Path bundleDir, String method, Path images, Path labels,
      Path domains, String reset, int batch, int threads) {
    this.spec = spec;
    this.bundleDir = bundleDir;
    this.method = method;
    this.images = images;
    this.labels = labels;
    this.domains = domains;
    this.reset = reset;
    this.batch = batch;
    this.threads = threads;
  }

  @Override
  public Integer call() throws Exception {
    StreamEvaluation.Reset when = switch (reset) {
      case "per-domain" -> StreamEvaluation.Reset.PER_DOMAIN;
      case "never" -> StreamEvaluation.Reset.NEVER;
      default -> throw new ParameterException(spec.commandLine(), "--reset must be per-domain "
          + "or never, got '" + reset + "'");
    };
    if (!Methods.NAMES.contains(method)) {
      throw new ParameterException(spec.commandLine(), "unknown method '" + method
          + "'; known: " + String.join(", ", Methods.NAMES));
    }
    ModelBundle bundle = ModelBundle.open(bundleDir);
    int classes = bundle.manifest().head().classes();
    StreamEvaluation.Result result;
    try (AdaptationStep sessions = bundle.openStep(threads);
        LabelledFiles stream = LabelledFiles.open(images, labels, domains, bundle.manifest(),
            batch, when == StreamEvaluation.Reset.PER_DOMAIN);
        ProgressBar progress = new ProgressBar(spec.commandLine().getErr(), method,
            stream.count())) {
      AdaptationMethod adapted = Methods.create(method, bundle, sessions);
      AdaptationMethod source = Methods.create("source", bundle, sessions);
      result = StreamEvaluation.run(adapted, source, stream, classes, when, progress,
          outputs -> { });
    }
    print(spec.commandLine().getOut(), bundle, result);
    return 0;
  }

  private void print(PrintWriter out, ModelBundle bundle, StreamEvaluation.Result r) {
    out.printf("%s on %s, batch %d, reset %s%n", method, bundle.manifest().name(), batch, reset);
    out.printf("%-8s %9s %14s %14s%n", "domain", "samples", "source error", method + " error");
    for (StreamEvaluation.DomainScore d : r.domains()) {
      out.printf("%-8d %9d %13.2f%% %13.2f%%%n", d.domain(), d.adapted().total(),
          100 * (1 - d.source().accuracy()), 100 * (1 - d.adapted().accuracy()));
    }
    out.printf("%-8s %9d %13.2f%% %13.2f%%%n", "all", r.samples(), 100 * r.sourceError(),
        100 * r.error());
    out.printf("speed    %.0f samples/s (%s alone)%n", r.samplesPerSecond(), method);
    out.printf("used     %.1f%% of samples for adaptation%n", 100 * r.shareUsed());
  }
}
