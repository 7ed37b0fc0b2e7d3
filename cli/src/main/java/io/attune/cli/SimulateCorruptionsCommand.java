package io.attune.cli;

import io.attune.simulators.corruption.Corruption;
import io.attune.simulators.corruption.Corruptions;
import io.attune.simulators.corruption.Parameter;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code attune simulate corruptions}: the names schedules use and what each severity means. */
@Command(
    name = "corruptions",
    mixinStandardHelpOptions = true,
    usageHelpAutoWidth = true,
    header = "List the corruptions, their families and their parameters per severity.",
    footer = {"", "Example:", "  ./attune simulate corruptions"})
final class SimulateCorruptionsCommand implements Callable<Integer> {

  @Spec
  private CommandSpec spec;

  @Override
  public Integer call() {
    final PrintWriter out = spec.commandLine().getOut();
    out.printf("%-18s %-10s %-40s %s%n", "name", "family", "parameter",
        "severity 1 .. 5");
    for (Corruption corruption : Corruptions.shifts()) {
      String name = corruption.name();
      String family = corruption.family().name().toLowerCase(Locale.ROOT);
      for (Parameter parameter : corruption.parameters()) {
        out.printf("%-18s %-10s %-40s %s%n", name, family, parameter.name(),
            String.join("  ", parameter.values().stream().map(SimulateCorruptionsCommand::number)
                .toList()));
        name = "";
        family = "";
      }
    }
    out.println();
    out.println("aliases: jpeg = jpeg_compression, elastic = elastic_transform, rotation = "
        + "rotate, translation = translate, zoom = scale; 'clean' is the unshifted data");
    return 0;
  }

  private static String number(double value) {
    return value == Math.rint(value) ? String.valueOf((long) value)
        : String.valueOf(value);
  }
}
