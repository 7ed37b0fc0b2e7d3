package io.attune.simulators.schedule;

import io.attune.simulators.corruption.Seeds;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Where each sample of a stream comes from, segment by segment, computed on demand from the
 * schedule, the source labels and the seed alone, so that any position can be planned without
 * planning what comes before it.
 */
final class StreamPlan {

  private final Schedule schedule;
  private final int[] labels;
  private final int classes;
  private final long seed;
  private final int perStage;
  private final List<int[]> segmentStages = new ArrayList<>();
  private final long[] segmentStarts;

  StreamPlan(Schedule schedule, LabeledImages source, long seed) {
    if (source.count() == 0) {
      throw new IllegalArgumentException("the source has no images to stream");
    }
    this.schedule = schedule;
    this.labels = source.labels();
    this.classes = source.classes();
    this.seed = seed;
    this.perStage = schedule.samplesPerDomain().orElse(source.count());
    final int stageCount = schedule.stages().size();
    if (schedule.kind() == Schedule.Kind.MIXED) {
      segmentStages.add(rangeOf(stageCount));
    } else {
      for (int s = 0; s < stageCount; s++) {
        segmentStages.add(new int[] {s});
      }
    }
    this.segmentStarts = new long[segmentStages.size() + 1];
    for (int i = 0; i < segmentStages.size(); i++) {
      final long inDistribution = (long) segmentStages.get(i).length * perStage;
      segmentStarts[i + 1] = segmentStarts[i] + inDistribution + openSetCount(inDistribution);
    }
  }

  long length() {
    return segmentStarts[segmentStarts.length - 1];
  }

  /** The index of the segment holding {@code position}, which must be below the length. */
  int segmentAt(long position) {
    final int found = Arrays.binarySearch(segmentStarts, position);
    int index = found >= 0 ? found : -found - 2;
    while (segmentStarts[index + 1] == segmentStarts[index]) {
      index++;
    }
    return index;
  }

  Segment segment(int index) {
    final SplittableRandom random = new SplittableRandom(Seeds.forPurpose(seed, "order", index));
    final int[] stageIds = segmentStages.get(index);
    final int count = Math.toIntExact((long) stageIds.length * perStage);
    int[] sources = new int[count];
    int[] stages = new int[count];
    for (int k = 0; k < stageIds.length; k++) {
      System.arraycopy(select(random), 0, sources, k * perStage, perStage);
      Arrays.fill(stages, k * perStage, (k + 1) * perStage, stageIds[k]);
    }
    if (stageIds.length > 1) {
      final int[] mix = permutation(count, random);
      sources = permute(sources, mix);
      stages = permute(stages, mix);
    }
    final int[] order = ClassOrder.of(schedule.labelShift(), labelsOf(sources), classes, random);
    return withOpenSet(segmentStarts[index], permute(sources, order), permute(stages, order),
        stageIds, random);
  }

  /** This stage's source indices: the source order, or a seeded permutation; cycled if short. */
  private int[] select(SplittableRandom random) {
    final int available = labels.length;
    final int[] chosen = new int[perStage];
    for (int done = 0; done < perStage; done += available) {
      final int[] pass = schedule.shuffle() ? permutation(available, random) : rangeOf(available);
      System.arraycopy(pass, 0, chosen, done, Math.min(available, perStage - done));
    }
    return chosen;
  }

  /**
   * Inserts the open-set samples at uniformly random positions (Knuth's selection sampling); in
   * a mixed segment each is assigned one of the mixed stages at random.
   */
  private Segment withOpenSet(long start, int[] sources, int[] stages, int[] stageIds,
      SplittableRandom random) {
    final int extra = Math.toIntExact(openSetCount(sources.length));
    if (extra == 0) {
      return new Segment(start, sources, stages);
    }
    final int total = sources.length + extra;
    final int[] allSources = new int[total];
    final int[] allStages = new int[total];
    int inserted = 0;
    for (int t = 0; t < total; t++) {
      if (random.nextInt(total - t) < extra - inserted) {
        allSources[t] = Segment.OPEN_SET;
        allStages[t] = stageIds[random.nextInt(stageIds.length)];
        inserted++;
      } else {
        allSources[t] = sources[t - inserted];
        allStages[t] = stages[t - inserted];
      }
    }
    return new Segment(start, allSources, allStages);
  }

  /** Noise samples that make up the open-set share of a segment with this many real ones. */
  private long openSetCount(long inDistribution) {
    final double share = schedule.openSet();
    return Math.round(inDistribution * share / (1 - share));
  }

  private int[] labelsOf(int[] sources) {
    final int[] of = new int[sources.length];
    for (int i = 0; i < sources.length; i++) {
      of[i] = labels[sources[i]];
    }
    return of;
  }

  private static int[] permute(int[] values, int[] order) {
    final int[] out = new int[order.length];
    for (int i = 0; i < order.length; i++) {
      out[i] = values[order[i]];
    }
    return out;
  }

  private static int[] permutation(int n, SplittableRandom random) {
    final int[] order = rangeOf(n);
    for (int i = n - 1; i > 0; i--) {
      final int j = random.nextInt(i + 1);
      final int swap = order[i];
      order[i] = order[j];
      order[j] = swap;
    }
    return order;
  }

  private static int[] rangeOf(int n) {
    final int[] range = new int[n];
    for (int i = 0; i < n; i++) {
      range[i] = i;
    }
    return range;
  }
}
