package io.attune.simulators.schedule;

import java.util.Arrays;
import java.util.Objects;

/**
 * One sample of a shifted stream.
 *
 * @param position 0-based index in the stream
 * @param image the corrupted pixels, {@link ShiftBatch#shape()} layout
 * @param label the class, or -1 for an open-set sample
 * @param stage the domain the sample belongs to; its index is the domain index
 * @param ood whether the sample is open-set noise from outside the label space
 * @param sourceIndex the index of the source image, or -1 for an open-set sample
 */
public record ShiftSample(long position, byte[] image, int label, Stage stage, boolean ood,
    int sourceIndex) {

  /** The domain index, {@code stage().index()}. */
  public int domain() {
    return stage.index();
  }

  /** The corruption's name. */
  public String corruption() {
    return stage.corruption();
  }

  /** The severity (0 for clean). */
  public int severity() {
    return stage.severity();
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof ShiftSample that && position == that.position
        && label == that.label && ood == that.ood && sourceIndex == that.sourceIndex
        && stage.equals(that.stage) && Arrays.equals(image, that.image);
  }

  @Override
  public int hashCode() {
    return Objects.hash(position, label, stage, ood, sourceIndex, Arrays.hashCode(image));
  }

  @Override
  public String toString() {
    return "ShiftSample[" + position + ", label " + label + ", " + stage.domain()
        + (ood ? ", open-set" : "") + "]";
  }
}
