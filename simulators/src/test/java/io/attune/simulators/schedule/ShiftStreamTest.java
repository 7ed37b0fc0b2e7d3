package io.attune.simulators.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.attune.simulators.FashionMnist;
import io.attune.simulators.corruption.Corruptions;
import io.attune.simulators.corruption.Seeds;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class ShiftStreamTest {

  private static final LabeledImages SOURCE = FashionMnist.test().head(2000);

  @Test
  void eachDomainStreamsTheWholeSourceByDefault() {
    final ShiftStream stream = ShiftStream.open(Schedule.parse("continual:fog:5,clean"), SOURCE, 1);

    assertThat(stream.length()).isEqualTo(2 * SOURCE.count());
    final Recorded all = read(stream, 700);
    assertThat(Arrays.copyOfRange(all.domains, 0, 2000)).containsOnly(0);
    assertThat(Arrays.copyOfRange(all.domains, 2000, 4000)).containsOnly(1);
    assertThat(Arrays.copyOfRange(all.sources, 2000, 4000))
        .isEqualTo(java.util.stream.IntStream.range(0, 2000).toArray());
  }

  @Test
  void aCleanDomainStreamsTheSourceImagesAndLabels() {
    final Recorded all = read(ShiftStream.open(Schedule.parse("clean"), SOURCE, 1), 512);

    assertThat(all.images).isEqualTo(SOURCE.pixels());
    assertThat(all.labels).isEqualTo(SOURCE.labels());
  }

  @Test
  void anImageIsItsCorruptionSeededByItsStreamPosition() {
    final ShiftStream stream = ShiftStream.open(Schedule.parse("continual:clean,fog:4"), SOURCE,
        9);
    stream.seek(2005);

    final ShiftSample sample = stream.next(1).sample(0);

    final byte[] source = new byte[784];
    SOURCE.copyImage(5, source, 0);
    assertThat(sample.image()).isEqualTo(
        Corruptions.FOG.apply(source, SOURCE.shape(), 4, Seeds.forImage(9, 2005)));
    assertThat(sample.corruption()).isEqualTo("fog");
    assertThat(sample.severity()).isEqualTo(4);
    assertThat(sample.domain()).isEqualTo(1);
    assertThat(sample.label()).isEqualTo(SOURCE.labels()[5]);
  }

  @Test
  void sameSeedGivesSameBytesWhateverTheBatchSize() {
    final Schedule schedule = Schedule.parse(
        "mixed:gaussian_noise:5,motion_blur:3+dirichlet:0.1+openset:0.1+samples:600");

    final Recorded small = read(ShiftStream.open(schedule, SOURCE, 3), 37);
    final Recorded large = read(ShiftStream.open(schedule, SOURCE, 3), 1000);

    assertThat(large).isEqualTo(small);
  }

  @Test
  void differentSeedsGiveDifferentStreams() {
    final Schedule schedule = Schedule.parse("continual:shot_noise:3,rotate:2+shuffle+samples:200");

    assertThat(read(ShiftStream.open(schedule, SOURCE, 4), 100))
        .isNotEqualTo(read(ShiftStream.open(schedule, SOURCE, 5), 100));
  }

  @Test
  void seekingGivesTheSamplesOfAReadThrough() {
    final Schedule schedule = Schedule.parse("continual:impulse_noise:2,fog:3+dirichlet:0.5");
    final Recorded through = read(ShiftStream.open(schedule, SOURCE, 6), 256);
    final ShiftStream stream = ShiftStream.open(schedule, SOURCE, 6);

    stream.seek(2990);
    final ShiftBatch batch = stream.next(20);

    assertThat(batch.domains()).isEqualTo(Arrays.copyOfRange(through.domains, 2990, 3010));
    assertThat(batch.labels()).isEqualTo(Arrays.copyOfRange(through.labels, 2990, 3010));
    assertThat(batch.images()).isEqualTo(
        Arrays.copyOfRange(through.images, 2990 * 784, 3010 * 784));
  }

  @Test
  void gradualStreamsOneStagePerSeverityStep() {
    final ShiftStream stream =
        ShiftStream.open(Schedule.parse("gradual:contrast+samples:10"), SOURCE, 0);

    final Recorded all = read(stream, 64);

    assertThat(stream.stages()).hasSize(9);
    assertThat(all.domains).hasSize(90).isSorted();
    assertThat(java.util.stream.IntStream.range(0, 9)
        .map(stage -> stream.stages().get(all.domains[10 * stage]).severity()))
        .containsExactly(1, 2, 3, 4, 5, 4, 3, 2, 1);
  }

  @Test
  void sortedClassesAreNonDecreasingWithinEachDomain() {
    final Recorded all = read(ShiftStream.open(
        Schedule.parse("continual:fog:1,jpeg:1+sorted+shuffle+samples:1500"), SOURCE, 2), 400);

    assertThat(Arrays.copyOfRange(all.labels, 0, 1500)).isSorted();
    assertThat(Arrays.copyOfRange(all.labels, 1500, 3000)).isSorted();
    assertThat(Arrays.copyOfRange(all.labels, 0, 1500)).contains(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
  }

  @Test
  void dirichletOrderPacksTheFirstHundredLabelsIntoFewClasses() {
    final Recorded dirichlet = read(ShiftStream.open(
        Schedule.parse("fog:1+dirichlet:0.1"), SOURCE, 2), 500);
    final Recorded iid = read(ShiftStream.open(Schedule.parse("fog:1"), SOURCE, 2), 500);

    assertThat(topTwoShare(Arrays.copyOf(dirichlet.labels, 100))).isGreaterThanOrEqualTo(0.8);
    assertThat(topTwoShare(Arrays.copyOf(iid.labels, 100))).isLessThan(0.4);
    assertThat(dirichlet.labels).containsExactlyInAnyOrder(iid.labels);
  }

  @Test
  void mixedDomainsAreInterleavedWithinABatch() {
    final ShiftStream stream =
        ShiftStream.open(Schedule.parse("mixed:gaussian_noise:5,fog:5,pixelate:5"), SOURCE, 8);

    final ShiftBatch first = stream.next(64);

    assertThat(stream.length()).isEqualTo(3 * SOURCE.count());
    assertThat(first.domains()).contains(0, 1, 2);
  }

  @Test
  void openSetSamplesAreNoiseWithLabelMinusOneAtTheirShare() {
    final Recorded all = read(ShiftStream.open(
        Schedule.parse("continual:clean,fog:2+openset:0.2+samples:400"), SOURCE, 2), 128);

    assertThat(all.labels).hasSize(1000);
    final long flagged = countTrue(all.ood);
    assertThat(flagged).isEqualTo(200);
    for (int i = 0; i < all.ood.length; i++) {
      assertThat(all.labels[i] == -1).isEqualTo(all.ood[i]);
      assertThat(all.sources[i] == -1).isEqualTo(all.ood[i]);
    }
    assertThat(countTrue(Arrays.copyOf(all.ood, 500))).isEqualTo(100);
  }

  @Test
  void samplesPerDomainCyclesThroughASmallSource() {
    final LabeledImages tiny = SOURCE.head(3);

    final Recorded all = read(ShiftStream.open(Schedule.parse("clean+samples:7"), tiny, 0), 4);

    assertThat(all.sources).containsExactly(0, 1, 2, 0, 1, 2, 0);
  }

  @Test
  void aLimitKeepsTheStartOfTheStream() {
    final Schedule schedule = Schedule.parse("continual:fog:5,rotate:5");
    final ShiftStream whole = ShiftStream.open(schedule, SOURCE, 3);
    final ShiftStream cut = whole.limit(2500);

    final Recorded head = read(cut, 1000);

    assertThat(cut.length()).isEqualTo(2500);
    assertThat(head.images).isEqualTo(whole.next(2500).images());
  }

  @Test
  void readingPastTheEndOrSeekingOutsideFails() {
    final ShiftStream stream = ShiftStream.open(Schedule.parse("fog:1+samples:5"), SOURCE, 0);
    stream.next(10);

    assertThatThrownBy(() -> stream.next(1)).hasMessage("the stream of 5 samples is at its end");
    assertThatThrownBy(() -> stream.seek(6))
        .hasMessage("position 6 is outside the stream of 5 samples");
  }

  private static double topTwoShare(int[] labels) {
    final Map<Integer, Long> counts = Arrays.stream(labels).boxed()
        .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
    return counts.values().stream().sorted((a, b) -> Long.compare(b, a)).limit(2)
        .mapToLong(Long::longValue).sum() / (double) labels.length;
  }

  private static long countTrue(boolean[] flags) {
    long count = 0;
    for (boolean flag : flags) {
      count += flag ? 1 : 0;
    }
    return count;
  }

  /** A whole stream read in batches of {@code batchSize}, as flat arrays. */
  private static Recorded read(ShiftStream stream, int batchSize) {
    final ByteArrayOutputStream images = new ByteArrayOutputStream();
    final List<ShiftBatch> batches = new ArrayList<>();
    while (stream.hasNext()) {
      final ShiftBatch batch = stream.next(batchSize);
      images.write(batch.images(), 0, batch.images().length);
      batches.add(batch);
    }
    return new Recorded(images.toByteArray(),
        batches.stream().flatMapToInt(b -> Arrays.stream(b.labels())).toArray(),
        batches.stream().flatMapToInt(b -> Arrays.stream(b.domains())).toArray(),
        batches.stream().flatMapToInt(b -> Arrays.stream(b.sources())).toArray(),
        flags(batches));
  }

  private static boolean[] flags(List<ShiftBatch> batches) {
    final boolean[] all = new boolean[batches.stream().mapToInt(ShiftBatch::size).sum()];
    int next = 0;
    for (ShiftBatch batch : batches) {
      System.arraycopy(batch.ood(), 0, all, next, batch.size());
      next += batch.size();
    }
    return all;
  }

  private record Recorded(byte[] images, int[] labels, int[] domains, int[] sources,
      boolean[] ood) {

    @Override
    public boolean equals(Object other) {
      return other instanceof Recorded that && Arrays.equals(images, that.images)
          && Arrays.equals(labels, that.labels) && Arrays.equals(domains, that.domains)
          && Arrays.equals(sources, that.sources) && Arrays.equals(ood, that.ood);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(images);
    }

    @Override
    public String toString() {
      return "Recorded[" + labels.length + " samples]";
    }
  }
}
