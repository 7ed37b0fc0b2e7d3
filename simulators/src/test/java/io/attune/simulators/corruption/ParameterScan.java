package io.attune.simulators.corruption;

import io.attune.simulators.FashionMnist;
import io.attune.simulators.ReferenceModel;
import io.attune.simulators.schedule.LabeledImages;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Tuning aid, not a test: accuracy of the reference model for candidate parameter tables of one
 * built-in corruption. Arguments: images, corruption name, then one comma-separated list of five
 * values per parameter, e.g. {@code 1000 contrast 0.9,0.8,0.7,0.6,0.5}.
 */
public final class ParameterScan {

  private ParameterScan() {}

  public static void main(String[] args) {
    final int count = Integer.parseInt(args[0]);
    final StandardCorruption base =
        (StandardCorruption) CorruptionRegistry.standard().require(args[1]);
    final List<Parameter> parameters = new ArrayList<>();
    for (int i = 2; i < args.length; i++) {
      parameters.add(Parameter.of(base.parameters().get(i - 2).name(),
          Arrays.stream(args[i].split(",")).mapToDouble(Double::parseDouble).toArray()));
    }
    final StandardCorruption candidate = new StandardCorruption(base.name(), base.family(),
        base.random(), parameters, base.op());
    final LabeledImages head = FashionMnist.test().head(count);
    try (ReferenceModel model = ReferenceModel.open()) {
      final StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "%-18s %-40s",
          base.name(), String.join(" ", Arrays.copyOfRange(args, 2, args.length))));
      for (int severity = 1; severity <= Corruption.MAX_SEVERITY; severity++) {
        final byte[] shifted =
            candidate.applyBatch(head.pixels(), count, head.shape(), severity, 0, 0);
        row.append(String.format(Locale.ROOT, " %6.1f",
            100 * model.accuracy(shifted, head.labels(), count)));
      }
      System.out.println(row);
    }
  }
}
