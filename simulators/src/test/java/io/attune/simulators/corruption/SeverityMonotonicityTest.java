package io.attune.simulators.corruption;

import static org.assertj.core.api.Assertions.assertThat;

import io.attune.simulators.FashionMnist;
import io.attune.simulators.ReferenceModel;
import io.attune.simulators.schedule.LabeledImages;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The reference model's accuracy on the first test images falls (non-strictly) from clean through
 * severities 1 to 5 of every corruption, and severity 5 of every noise and blur costs at least
 * 10 points. {@code -Dattune.severity.images=1000} scores more images (the table in
 * docs/shifts.md); the default keeps the module's tests under a minute on 2 cores. Corruptions
 * are scored two at a time, each ONNX Runtime call on one thread, as the session allows.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SeverityMonotonicityTest {

  /** Sampling noise allowed between neighbouring severities, in accuracy points. */
  private static final double SLACK = 0.5;
  private static final double MIN_DROP_AT_FIVE = 10;
  private static final long SEED = 0;
  private static final int WORKERS = 2;

  private final int count = Integer.getInteger("attune.severity.images", 500);
  private final LabeledImages head = FashionMnist.test().head(count);
  private final List<String> table = new ArrayList<>();
  private ReferenceModel model;
  private double clean;

  @BeforeAll
  void openModel() {
    model = ReferenceModel.open();
    clean = percent(head.pixels());
  }

  @AfterAll
  void printTableAndClose() {
    System.out.printf(Locale.ROOT, "reference model accuracy (%%) on the first %d test images, "
        + "seed %d; clean %.1f%n", count, SEED, clean);
    System.out.printf(Locale.ROOT, "%-18s %6s %6s %6s %6s %6s%n", "corruption", "s1", "s2", "s3",
        "s4", "s5");
    table.forEach(System.out::println);
    model.close();
  }

  @Test
  void accuracyNeverRisesWithSeverityAndNoiseAndBlurCostTenPointsAtFive() throws Exception {
    final List<String> failures = new ArrayList<>();
    final ExecutorService workers = Executors.newFixedThreadPool(WORKERS);
    try {
      final List<Future<double[]>> scored = new ArrayList<>();
      for (Corruption corruption : Corruptions.shifts()) {
        scored.add(workers.submit(() -> accuracies(corruption)));
      }
      for (int i = 0; i < scored.size(); i++) {
        final Corruption corruption = Corruptions.shifts().get(i);
        final double[] accuracy = scored.get(i).get();
        table.add(row(corruption, accuracy));
        failures.addAll(problems(corruption, accuracy));
      }
    } finally {
      workers.shutdownNow();
    }

    assertThat(failures).as("corruptions that are not monotone or too weak").isEmpty();
  }

  private double[] accuracies(Corruption corruption) {
    final double[] accuracy = new double[Corruption.MAX_SEVERITY + 1];
    accuracy[0] = clean;
    for (int severity = 1; severity <= Corruption.MAX_SEVERITY; severity++) {
      accuracy[severity] = percent(corruption.applyBatch(head.pixels(), count, head.shape(),
          severity, SEED, 0));
    }
    return accuracy;
  }

  private static String row(Corruption corruption, double[] accuracy) {
    final StringBuilder row = new StringBuilder(String.format("%-18s", corruption.name()));
    for (int severity = 1; severity <= Corruption.MAX_SEVERITY; severity++) {
      row.append(String.format(Locale.ROOT, " %6.1f", accuracy[severity]));
    }
    return row.toString();
  }

  private static List<String> problems(Corruption corruption, double[] accuracy) {
    final List<String> problems = new ArrayList<>();
    for (int severity = 1; severity <= Corruption.MAX_SEVERITY; severity++) {
      if (accuracy[severity] > accuracy[severity - 1] + SLACK) {
        problems.add(String.format(Locale.ROOT, "%s: %.1f%% at severity %d > %.1f%% at %s",
            corruption.name(), accuracy[severity], severity, accuracy[severity - 1],
            severity == 1 ? "clean" : "severity " + (severity - 1)));
      }
    }
    final boolean mustHurt = corruption.family() == Family.NOISE
        || corruption.family() == Family.BLUR;
    final double drop = accuracy[0] - accuracy[Corruption.MAX_SEVERITY];
    if (mustHurt && drop < MIN_DROP_AT_FIVE) {
      problems.add(String.format(Locale.ROOT, "%s: severity 5 costs only %.1f points",
          corruption.name(), drop));
    }
    return problems;
  }

  private double percent(byte[] pixels) {
    return 100 * model.accuracy(pixels, head.labels(), count);
  }
}
