package io.attune.cli;

import io.attune.adaptation.bundle.BundleManifest;
import io.attune.adaptation.bundle.ModelBundle;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code attune inspect}: what a model bundle holds. */
@Command(
    name = "inspect",
    mixinStandardHelpOptions = true,
    usageHelpAutoWidth = true,
    header = "Show the layers, parameters and graphs of a model bundle.",
    footer = {"", "Example:", "  ./attune inspect /tmp/bundle"})
final class InspectCommand implements Callable<Integer> {

  @Spec
  private CommandSpec spec;

  @Parameters(index = "0", paramLabel = "DIR", description = "A bundle made by 'attune prepare'.")
  private Path dir;

  @Override
  public Integer call() throws Exception {
    ModelBundle bundle = ModelBundle.open(dir);
    BundleManifest m = bundle.manifest();
    PrintWriter out = spec.commandLine().getOut();
    out.printf("model      %s (from %s, opset %d)%n", m.name(), m.sourceModel(), m.opset());
    out.printf("input      %s [%s, %s]%n", m.input(), m.fixedBatch() > 0 ? m.fixedBatch() : "N",
        m.inputShape().toString().replaceAll("[\\[\\]]", ""));
    out.printf("classes    %d: %s%n", m.head().classes(), String.join(", ", m.classNames()));
    out.printf("features   %s, %d values%n", m.head().features(), m.head().dim());
    out.printf("adaptable  %d normalization layers, %d parameters (scale and bias)%n",
        m.layers().size(), m.parameterCount());
    out.println();
    out.printf("  %-3s %-40s %8s  %s%n", "#", "layer", "channels", "scale / bias");
    for (BundleManifest.Layer l : m.layers()) {
      out.printf("  %-3d %-40s %8d  %s / %s%n", l.index(), l.node(), l.channels(), l.scale(),
          l.bias());
    }
    out.println();
    for (String[] g : new String[][] {{"edge", m.graphs().edge()},
        {"forward", m.graphs().forward()}, {"backward", m.graphs().backward()}}) {
      out.printf("%-9s  %s, %d KiB%n", g[0], g[1], Files.size(dir.resolve(g[1])) / 1024);
    }
    out.printf("saved      %d tensors handed from forward to backward%n",
        m.graphs().saved().size());
    out.printf("memory     %s%n", m.sourceMemory() == null || m.sourceMemory().samples() == 0
        ? "none" : m.sourceMemory().samples() + " source samples");
    out.printf("images     %s%n", bundle.sourceImages().map(p -> p.getFileName().toString())
        .orElse("none"));
    return 0;
  }
}
