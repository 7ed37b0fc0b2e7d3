package io.attune.simulators.schedule;

import io.attune.simulators.corruption.ImageShape;
import java.util.Arrays;
import java.util.List;

/**
 * Consecutive samples of a shifted stream, as parallel arrays ready to write or to feed a model.
 * The arrays are held, not copied.
 *
 * @param start stream position of the first sample
 * @param shape the layout of each image
 * @param images {@code size() * shape.size()} bytes
 * @param labels class per sample, -1 for open-set samples
 * @param domains domain (stage) index per sample
 * @param ood whether each sample is open-set noise
 * @param sources source image index per sample, -1 for open-set samples
 * @param stages the stream's stages, which {@code domains} index
 */
public record ShiftBatch(long start, ImageShape shape, byte[] images, int[] labels,
    int[] domains, boolean[] ood, int[] sources, List<Stage> stages) {

  /** Number of samples. */
  public int size() {
    return labels.length;
  }

  /** Sample {@code i} of the batch, its image copied. */
  public ShiftSample sample(int i) {
    final int size = shape.size();
    return new ShiftSample(start + i, Arrays.copyOfRange(images, i * size, (i + 1) * size),
        labels[i], stages.get(domains[i]), ood[i], sources[i]);
  }
}
