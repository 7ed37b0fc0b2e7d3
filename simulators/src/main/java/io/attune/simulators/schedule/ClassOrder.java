package io.attune.simulators.schedule;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import io.attune.simulators.corruption.RandomVariates;

/** Reorderings of a domain's samples by class: the label shifts of {@link LabelShift}. */
final class ClassOrder {

  /** RoTTA's cap on the number of Dirichlet time slots. */
  private static final int MAX_SLOTS = 100;

  private ClassOrder() {}

  /** The order {@code shift} gives samples whose classes are {@code labels}, as positions. */
  static int[] of(LabelShift shift, int[] labels, int classes, SplittableRandom random) {
    if (shift instanceof LabelShift.Sorted) {
      return sorted(labels, classes);
    }
    if (shift instanceof LabelShift.Dirichlet dirichlet) {
      return dirichlet(labels, classes, dirichlet.alpha(), random);
    }
    final int[] identity = new int[labels.length];
    for (int i = 0; i < identity.length; i++) {
      identity[i] = i;
    }
    return identity;
  }

  /** A stable counting sort: positions of class 0 in their order, then class 1, ... */
  static int[] sorted(int[] labels, int classes) {
    final int[] starts = new int[classes + 1];
    for (int label : labels) {
      starts[label + 1]++;
    }
    for (int c = 0; c < classes; c++) {
      starts[c + 1] += starts[c];
    }
    final int[] order = new int[labels.length];
    for (int i = 0; i < labels.length; i++) {
      order[starts[labels[i]]++] = i;
    }
    return order;
  }

  /**
   * RoTTA's {@code LabelDirichletDomainSequence}: each class's positions, in their order, are cut
   * into consecutive runs, one per time slot, sized by a {@code Dirichlet(alpha)} draw over the
   * slots; each slot then plays its runs in random order.
   */
  static int[] dirichlet(int[] labels, int classes, double alpha, SplittableRandom random) {
    final int slots = Math.min(classes, MAX_SLOTS);
    final List<List<int[]>> runs = new ArrayList<>();
    for (int s = 0; s < slots; s++) {
      runs.add(new ArrayList<>());
    }
    final int[] byClass = sorted(labels, classes);
    int classStart = 0;
    for (int c = 0; c < classes; c++) {
      int classEnd = classStart;
      while (classEnd < byClass.length && labels[byClass[classEnd]] == c) {
        classEnd++;
      }
      cut(byClass, classStart, classEnd, proportions(slots, alpha, random), runs);
      classStart = classEnd;
    }
    final int[] order = new int[labels.length];
    int next = 0;
    for (List<int[]> slot : runs) {
      shuffle(slot, random);
      for (int[] run : slot) {
        System.arraycopy(run, 0, order, next, run.length);
        next += run.length;
      }
    }
    return order;
  }

  /** Splits {@code positions[from, to)} at the cumulative proportions, as numpy's astype(int). */
  private static void cut(int[] positions, int from, int to, double[] proportions,
      List<List<int[]>> runs) {
    final int count = to - from;
    double cumulative = 0;
    int start = 0;
    for (int s = 0; s < proportions.length; s++) {
      cumulative += proportions[s];
      final int end = s == proportions.length - 1
          ? count : Math.max(start, Math.min(count, (int) (cumulative * count)));
      final int[] run = new int[end - start];
      System.arraycopy(positions, from + start, run, 0, run.length);
      runs.get(s).add(run);
      start = end;
    }
  }

  /** A {@code Dirichlet(alpha, ..., alpha)} draw, from log-gamma variates so none underflows. */
  private static double[] proportions(int slots, double alpha, SplittableRandom random) {
    final double[] logs = new double[slots];
    double max = Double.NEGATIVE_INFINITY;
    for (int s = 0; s < slots; s++) {
      logs[s] = RandomVariates.logGamma(random, alpha);
      max = Math.max(max, logs[s]);
    }
    double sum = 0;
    for (int s = 0; s < slots; s++) {
      logs[s] = Math.exp(logs[s] - max);
      sum += logs[s];
    }
    for (int s = 0; s < slots; s++) {
      logs[s] /= sum;
    }
    return logs;
  }

  private static <T> void shuffle(List<T> items, SplittableRandom random) {
    for (int i = items.size() - 1; i > 0; i--) {
      final int j = random.nextInt(i + 1);
      final T swap = items.get(i);
      items.set(i, items.get(j));
      items.set(j, swap);
    }
  }
}
