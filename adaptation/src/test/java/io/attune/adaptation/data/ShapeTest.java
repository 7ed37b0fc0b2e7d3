package io.attune.adaptation.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ShapeTest {

  @Test
  void countsElementsItemsAndElementsPerItem() {
    final Shape images = Shape.of(10000, 28, 28);
    assertThat(images.count()).isEqualTo(7_840_000);
    assertThat(images.items()).isEqualTo(10000);
    assertThat(images.itemElements()).isEqualTo(784);
    assertThat(images.withItems(3)).isEqualTo(Shape.of(3, 28, 28));
    assertThat(images).hasToString("10000 x 28 x 28");
  }

  @Test
  void treatsAScalarAsOneItemOfOneElement() {
    assertThat(Shape.scalar().count()).isEqualTo(1);
    assertThat(Shape.scalar().items()).isEqualTo(1);
    assertThat(Shape.scalar().itemElements()).isEqualTo(1);
    assertThat(Shape.scalar()).hasToString("scalar");
  }

  @Test
  void isImmutableAndComparedByValue() {
    final int[] dims = {2, 3};
    final Shape shape = Shape.of(dims);
    dims[0] = 99;
    shape.dims()[1] = 99;
    assertThat(shape).isEqualTo(Shape.of(2, 3)).hasSameHashCodeAs(Shape.of(2, 3));
  }

  @Test
  void refusesNegativeDimensionsAndOverflowingCounts() {
    assertThatThrownBy(() -> Shape.of(3, -1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("dimension 1 of [3, -1] is negative");
    final int big = Integer.MAX_VALUE;
    assertThatThrownBy(() -> Shape.of(big, big, big))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("overflows a long");
  }
}
