package io.attune.simulators;

import io.attune.simulators.corruption.Corruption;
import io.attune.simulators.corruption.Corruptions;
import io.attune.simulators.schedule.Domain;
import io.attune.simulators.schedule.LabeledImages;
import io.attune.simulators.schedule.Schedule;
import io.attune.simulators.schedule.ShiftStream;
import java.util.List;
import java.util.Locale;

/**
 * Prints the reference model's accuracy per corruption and severity, and the time to corrupt the
 * whole test split at severity 5; a tool for tuning and for docs/shifts.md, not a test.
 * Arguments: number of images to score (default 1000), seed (default 0).
 */
public final class SeverityTable {

  private SeverityTable() {}

  public static void main(String[] args) {
    final int count = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
    final long seed = args.length > 1 ? Long.parseLong(args[1]) : 0;
    final LabeledImages test = FashionMnist.test();
    final LabeledImages head = test.head(count);
    final List<Corruption> shifts = args.length > 2
        ? Corruptions.shifts().stream().filter(c -> c.name().matches(args[2])).toList()
        : Corruptions.shifts();
    try (ReferenceModel model = ReferenceModel.open()) {
      final double clean = model.accuracy(head.pixels(), head.labels(), count);
      System.out.printf(Locale.ROOT, "| %-18s | %5s | %5s | %5s | %5s | %5s | %5s | %7s |%n",
          "corruption", "clean", "1", "2", "3", "4", "5", "10k s5");
      for (Corruption corruption : shifts) {
        final StringBuilder row = new StringBuilder(
            String.format(Locale.ROOT, "| %-18s | %5.1f", corruption.name(), 100 * clean));
        for (int severity = 1; severity <= Corruption.MAX_SEVERITY; severity++) {
          final byte[] shifted = corruption.applyBatch(head.pixels(), count, head.shape(),
              severity, seed, 0);
          row.append(String.format(Locale.ROOT, " | %5.1f",
              100 * model.accuracy(shifted, head.labels(), count)));
        }
        row.append(String.format(Locale.ROOT, " | %6.2fs |",
            secondsForAll(corruption, test, seed)));
        System.out.println(row);
      }
    }
  }

  /** Seconds to read the whole severity-5 stream in batches of 1000, after a warm-up batch. */
  private static double secondsForAll(Corruption corruption, LabeledImages test, long seed) {
    final Schedule schedule = Schedule.single(new Domain(corruption, 5));
    ShiftStream.open(schedule, test, seed).next(1000);
    final long start = System.nanoTime();
    final ShiftStream stream = ShiftStream.open(schedule, test, seed);
    while (stream.hasNext()) {
      stream.next(1000);
    }
    return (System.nanoTime() - start) / 1e9;
  }
}
