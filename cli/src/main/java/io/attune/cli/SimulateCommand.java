package io.attune.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code attune simulate}: shifted test streams, exported or pictured; wires module simulators. */
@Command(
    name = "simulate",
    mixinStandardHelpOptions = true,
    usageHelpAutoWidth = true,
    header = "Generate shifted test streams (corrupted, drifting, label-shifted, open-set) and "
        + "simulated edge fleets.",
    description = {
      "",
      "Plays a schedule of corruptions (Fashion-MNIST-C: noise, blur, weather, digital and "
          + "geometric shifts at severities 1 to 5) over a labelled image set, deterministically "
          + "for a seed, and writes the stream as IDX or .npy files that 'attune evaluate', other "
          + "tools and NumPy read, or sends it to Kafka as live traffic of several cohorts; or "
          + "draws a gallery of the corruptions.",
      "",
      "Schedules: NAME:SEVERITY (one domain), continual:A:5,B:5 (one after another), "
          + "gradual:A,B (severity 1..5..1 each), mixed:A:5,B:5 (interleaved), with modifiers "
          + "+sorted or +dirichlet:ALPHA (class order), +shuffle, +openset:SHARE (noise images, "
          + "label -1) and +samples:N (per domain); or the same as JSON. See docs/shifts.md.",
      "",
      "'fleet' runs simulated edge devices in cohorts on such streams against a worker: they "
          + "upload selected samples to the traffic topic and apply the signed parameters it "
          + "publishes.",
      ""
    },
    synopsisSubcommandLabel = "COMMAND",
    subcommands = {SimulateExportCommand.class, SimulateStreamCommand.class,
        SimulateFleetCommand.class, SimulateGalleryCommand.class,
        SimulateCorruptionsCommand.class},
    footer = {
      "",
      "Examples:",
      "  ./attune simulate corruptions",
      "  ./attune simulate export --schedule gaussian_noise:5 --out /tmp/g5",
      "  ./attune evaluate --images /tmp/g5/images.idx.gz --labels /tmp/g5/labels.idx.gz",
      "  ./attune simulate stream --schedule fog:5 --bootstrap localhost:9092 \\",
      "      --model fmnist-resnet --cohorts 4 --rate 200",
      "  ./attune simulate export --schedule 'continual:fog:5,jpeg:5+sorted' --out /tmp/s",
      "  ./attune simulate gallery --out docs/shift-gallery.png",
      "  ./attune simulate fleet --bundle /tmp/bundle --bootstrap localhost:9092 \\",
      "      --public-key keys/params.pub.pem --cohorts 2 --devices 4"
    })
final class SimulateCommand implements Callable<Integer> {

  @Spec
  private CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getOut());
    return 0;
  }
}
