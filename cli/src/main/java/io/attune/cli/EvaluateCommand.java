package io.attune.cli;

import io.attune.adaptation.data.LabeledReader;
import io.attune.adaptation.eval.ConfusionMatrix;
import io.attune.adaptation.eval.SourceEvaluation;
import io.attune.adaptation.model.ModelCard;
import io.attune.adaptation.runtime.OnnxClassifier;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code attune evaluate}: accuracy of a model on a labelled image set. */
@Command(
    name = "evaluate",
    mixinStandardHelpOptions = true,
    usageHelpAutoWidth = true,
    header = "Measure a model's accuracy on a labelled image set.",
    description = {
      "",
      "Runs the ONNX model in ONNX Runtime over every image of an IDX or .npy image file, "
          + "compares its predictions with the labels, and prints the accuracy and per-class "
          + "recall. Labels are only read here, to score: adaptation never sees them.",
      "",
      "With --bundle and --method it adapts online instead: every batch is predicted and "
          + "then adapted on, as a deployed worker would, and the error of the method is "
          + "printed per domain next to the source model's on the same samples.",
      "",
      "With --schedule the stream comes from the shift simulator (see 'attune simulate "
          + "export'): the schedule is played over --images/--labels, corrupted as it goes, "
          + "no file in between. --report writes the run as Markdown (.md) or as a JSON "
          + "record (.json: method, bundle, batch, reset, per-domain error, source error and "
          + "samples used, samples/s).",
      ""
    },
    footer = {
      "",
      "Examples:",
      "  ./attune evaluate",
      "  ./attune evaluate --model models/fmnist-resnet/model-folded.onnx --batch-size 64",
      "  ./attune evaluate --bundle /tmp/bundle --method tent --batch 64",
      "  ./attune evaluate --bundle /tmp/bundle --method eata \\",
      "      --schedule 'continual:gaussian_noise:5,fog:5' --reset never --report run.json",
    })
final class EvaluateCommand implements Callable<Integer> {

  @Spec
  private CommandSpec spec;

  @Option(names = "--model", paramLabel = "ONNX",
      description = "The ONNX classifier; its description is the model.json beside it "
          + "(default: ${DEFAULT-VALUE}).",
      defaultValue = "${sys:attune.home:-.}/models/fmnist-resnet/model.onnx")
  private Path model;

  @Option(names = "--card", paramLabel = "JSON",
      description = "The model description (input name and shape, preprocessing, classes); "
          + "default: model.json beside the model.")
  private Path card;

  @Mixin
  private LabelledImagesOptions labelled = new LabelledImagesOptions();


  @Option(names = {"--batch", "--batch-size"}, paramLabel = "N", defaultValue = "256",
      description = "Images per batch: per ONNX Runtime call, and per adaptation step with "
          + "--bundle (default: ${DEFAULT-VALUE}; adaptation runs usually take 64).")
  private int batchSize;

  @Option(names = "--bundle", paramLabel = "DIR",
      description = "Adapt online with a model bundle (made by 'attune prepare') instead of "
          + "scoring the ONNX model as it is.")
  private Path bundleDir;

  @Option(names = "--method", paramLabel = "M", defaultValue = "source",
      description = "With --bundle: the adaptation method, one of ${COMPLETION-CANDIDATES} "
          + "(default: ${DEFAULT-VALUE}).", completionCandidates = MethodNames.class)
  private String method;

  @Option(names = "--hyper", paramLabel = "NAME=VALUE",
      description = "With --bundle: override one of the method's hyperparameters, e.g. "
          + "optimizer.lr=0.0005 or guard.window=5 (repeatable; an unknown name is refused "
          + "with the names the method has).")
  private Map<String, String> hyperparameters = new LinkedHashMap<>();

  @Option(names = "--domains", paramLabel = "FILE",
      description = "With --bundle: a domain index per image (as 'attune simulate export' "
          + "writes), to report error per domain and reset per domain.")
  private Path domains;

  @Option(names = "--schedule", paramLabel = "SPEC",
      description = "With --bundle: play this shift schedule (compact, JSON, or a file holding "
          + "either; e.g. continual:gaussian_noise:5,fog:5) over --images/--labels instead of "
          + "reading them as the stream.")
  private String schedule;

  @Option(names = "--seed", paramLabel = "N", defaultValue = "0",
      description = "With --schedule: seed of the corruptions (default: ${DEFAULT-VALUE}).")
  private long seed;

  @Option(names = "--report", paramLabel = "FILE",
      description = "With --bundle: also write the run to FILE, Markdown if it ends in .md, "
          + "a JSON record if it ends in .json.")
  private Path report;

  @Option(names = "--predictions", paramLabel = "FILE",
      description = "With --bundle: also write the method's predicted class of every sample, "
          + "in stream order, as a .npy file of int64 (to compare runs sample by sample).")
  private Path predictions;

  @Option(names = "--reset", paramLabel = "WHEN", defaultValue = "per-domain",
      description = "With --bundle: per-domain (start each domain from the source) or never "
          + "(continual) (default: ${DEFAULT-VALUE}).")
  private String reset;

  @Option(names = "--threads", paramLabel = "N", defaultValue = "0",
      description = "ONNX Runtime intra-op threads; 0 = one per core (default: ${DEFAULT-VALUE}).")
  private int threads;

  @Override
  public Integer call() throws Exception {
    if (batchSize < 1) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(),
          "--batch-size must be at least 1, got " + batchSize);
    }
    if (bundleDir != null) {
      return new AdaptationRun(spec, new AdaptationRun.Options(bundleDir, method,
          hyperparameters, labelled.images, labelled.labels, domains, schedule, seed, reset,
          batchSize, threads, report, predictions)).call();
    }
    if (schedule != null || report != null || predictions != null) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(),
          (schedule != null ? "--schedule" : report != null ? "--report" : "--predictions")
              + " needs --bundle (to score the "
              + "model as it is, use --method source)");
    }
    Path cardFile = card != null ? card : model.toAbsolutePath().resolveSibling("model.json");
    ModelCard modelCard = ModelCard.read(cardFile);
    PrintWriter out = spec.commandLine().getOut();
    ConfusionMatrix confusion;
    double seconds;
    try (OnnxClassifier classifier = OnnxClassifier.open(model, modelCard, threads);
        LabeledReader data = LabeledReader.open(labelled.images, labelled.labels);
        ProgressBar progress = new ProgressBar(spec.commandLine().getErr(), "evaluate",
            data.count())) {
      confusion = SourceEvaluation.run(classifier, data, batchSize, progress);
      seconds = progress.elapsedSeconds();
    }
    printReport(out, modelCard, confusion, seconds);
    return 0;
  }

  private void printReport(PrintWriter out, ModelCard modelCard, ConfusionMatrix confusion,
      double seconds) {
    out.printf("model     %s (%s)%n", modelCard.name(), model.getFileName());
    out.printf("scored    %d labelled images from %s%n", confusion.total(),
        labelled.images.getFileName());
    out.printf("accuracy  %.2f%% (%d correct)%n", 100 * confusion.accuracy(), confusion.correct());
    modelCard.reportedAccuracy().ifPresent(reported ->
        out.printf("reported  %.2f%% at training time (model.json)%n", 100 * reported));
    out.printf("speed     %.0f images/s%n", confusion.total() / Math.max(seconds, 1e-9));
    out.println();
    out.println("recall per class");
    for (int c = 0; c < confusion.classes(); c++) {
      out.printf("  %-14s %6.2f%%%n", modelCard.classNames().get(c), 100 * confusion.recall(c));
    }
  }
}
