package io.attune.simulators.corruption;

import static org.assertj.core.api.Assertions.assertThat;

import io.attune.simulators.FashionMnist;
import io.attune.simulators.schedule.LabeledImages;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class CorruptionDeterminismTest {

  private static final LabeledImages IMAGES = FashionMnist.test().head(40);
  private static final ImageShape SHAPE = IMAGES.shape();

  static Stream<Corruption> shifts() {
    return Corruptions.shifts().stream();
  }

  static Stream<Corruption> randomShifts() {
    return shifts().filter(Corruption::random);
  }

  static Stream<Corruption> seedFreeShifts() {
    return shifts().filter(c -> !c.random());
  }

  @ParameterizedTest
  @MethodSource("shifts")
  void sameSeedGivesSameBytes(Corruption corruption) {
    for (int severity = 1; severity <= Corruption.MAX_SEVERITY; severity++) {
      final byte[] first = batch(corruption, severity, 7, 0, IMAGES.count());
      final byte[] second = batch(corruption, severity, 7, 0, IMAGES.count());

      assertThat(second).as("%s at severity %d", corruption.name(), severity).isEqualTo(first);
    }
  }

  @ParameterizedTest
  @MethodSource("randomShifts")
  void differentSeedsGiveDifferentBytes(Corruption corruption) {
    final byte[] seven = batch(corruption, 3, 7, 0, IMAGES.count());
    final byte[] eight = batch(corruption, 3, 8, 0, IMAGES.count());

    assertThat(eight).isNotEqualTo(seven);
  }

  @ParameterizedTest
  @MethodSource("randomShifts")
  void imagesOfOneBatchGetDifferentRandomness(Corruption corruption) {
    final byte[] image = IMAGES.pixels().clone();
    final int size = SHAPE.size();
    System.arraycopy(image, 0, image, size, size);

    final byte[] out = corruption.applyBatch(image, 2, SHAPE, 5, 7, 0);

    assertThat(Arrays.copyOfRange(out, size, 2 * size))
        .isNotEqualTo(Arrays.copyOfRange(out, 0, size));
  }

  @ParameterizedTest
  @MethodSource("seedFreeShifts")
  void seedFreeCorruptionsIgnoreTheSeed(Corruption corruption) {
    assertThat(batch(corruption, 4, 8, 0, IMAGES.count()))
        .isEqualTo(batch(corruption, 4, 7, 0, IMAGES.count()));
  }

  @ParameterizedTest
  @MethodSource("shifts")
  void batchBoundariesDoNotChangeTheBytes(Corruption corruption) {
    final int size = SHAPE.size();
    final byte[] whole = batch(corruption, 5, 11, 100, IMAGES.count());
    final byte[] head = corruption.applyBatch(IMAGES.pixels(), 13, SHAPE, 5, 11, 100);
    final byte[] tail = corruption.applyBatch(
        Arrays.copyOfRange(IMAGES.pixels(), 13 * size, IMAGES.pixels().length),
        IMAGES.count() - 13, SHAPE, 5, 11, 113);

    final byte[] joined = Arrays.copyOf(head, whole.length);
    System.arraycopy(tail, 0, joined, head.length, tail.length);
    assertThat(joined).isEqualTo(whole);
  }

  @ParameterizedTest
  @MethodSource("shifts")
  void batchEqualsImagesOneAtATimeWithDerivedSeeds(Corruption corruption) {
    final int size = SHAPE.size();
    final byte[] whole = batch(corruption, 2, 3, 500, 5);

    for (int i = 0; i < 5; i++) {
      final byte[] image = Arrays.copyOfRange(IMAGES.pixels(), i * size, (i + 1) * size);
      assertThat(corruption.apply(image, SHAPE, 2, Seeds.forImage(3, 500 + i)))
          .isEqualTo(Arrays.copyOfRange(whole, i * size, (i + 1) * size));
    }
  }

  private static byte[] batch(Corruption corruption, int severity, long seed, long first,
      int count) {
    return corruption.applyBatch(IMAGES.pixels(), count, SHAPE, severity, seed, first);
  }
}
