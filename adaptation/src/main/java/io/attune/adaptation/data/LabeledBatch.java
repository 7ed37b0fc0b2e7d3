package io.attune.adaptation.data;

import java.util.Objects;

/**
 * Items and their labels, index for index, as {@link LabeledReader} reads them. Meant for
 * evaluation only: adaptation methods receive batches without labels.
 *
 * @param images the items, first axis counting them; values unscaled (uint8 pixels as 0..255)
 * @param labels one label per item, shape {@code [n]}
 */
public record LabeledBatch(FloatData images, LongData labels) {

  /** @throws IllegalArgumentException if the counts differ */
  public LabeledBatch {
    Objects.requireNonNull(images, "images");
    Objects.requireNonNull(labels, "labels");
    if (images.items() != labels.items()) {
      throw new IllegalArgumentException(
          images.items() + " images but " + labels.items() + " labels");
    }
  }

  /** Number of labelled items. */
  public int size() {
    return labels.items();
  }
}
