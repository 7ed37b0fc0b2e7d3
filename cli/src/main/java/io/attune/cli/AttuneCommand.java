package io.attune.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;

/** The top-level {@code attune} command; each subcommand wires library code, it holds no logic. */
@Command(
    name = "attune",
    mixinStandardHelpOptions = true,
    usageHelpAutoWidth = true,
    versionProvider = VersionProvider.class,
    header = "Streaming test-time adaptation of a classifier's normalization layers.",
    description = {
      "",
      "Attune adapts a deployed ONNX classifier to shifted, unlabeled traffic and publishes "
          + "refreshed normalization parameters to forward-only edge devices.",
      ""
    },
    synopsisSubcommandLabel = "COMMAND",
    subcommands = {DemoCommand.class, EvaluateCommand.class, EvaluateDriftCommand.class,
        PrepareCommand.class, InspectCommand.class, GradientsCommand.class, BenchCommand.class,
        KnnBenchCommand.class,
        WorkerBenchCommand.class, WorkerCommand.class, SimulateCommand.class,
        ResultsCommand.class, HelpCommand.class},
    footer = {
      "",
      "Examples:",
      "  ./attune demo              a fleet of edge devices adapting live, then a report",
      "  ./attune evaluate          accuracy of the reference model on the test split",
      "  ./attune simulate export --schedule gaussian_noise:5 --out /tmp/g5",
      "                             a shifted test set",
      "  ./attune help evaluate     the options of one command",
      "",
      "Set ATTUNE_DEBUG=1 to see stack traces behind error messages."
    })
final class AttuneCommand implements Runnable {

  @picocli.CommandLine.Spec
  private picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
