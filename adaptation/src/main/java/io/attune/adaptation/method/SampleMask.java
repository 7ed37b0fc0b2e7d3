package io.attune.adaptation.method;

import java.util.Arrays;

/**
 * Which samples of a batch may drive an entropy method's update, decided after the method's own
 * forward pass. A mask only removes samples: the method's own filters (EATA's reliability and
 * redundancy, SAR's reliability) still apply to those it keeps. The open-set filter
 * ({@code safety.OpenSetFilter}) is one; {@link #all()} keeps everything.
 */
@FunctionalInterface
public interface SampleMask {

  /**
   * @param batch the batch being adapted on
   * @param logits the method's logits for it under the parameters being adapted,
   *     {@code [N, classes]}
   * @return {@code N} flags, true for samples that may contribute to the loss
   */
  boolean[] keep(Batch batch, float[] logits);

  /** Keeps every sample: the method as its paper describes it. */
  static SampleMask all() {
    return (batch, logits) -> {
      boolean[] keep = new boolean[batch.size()];
      Arrays.fill(keep, true);
      return keep;
    };
  }
}
