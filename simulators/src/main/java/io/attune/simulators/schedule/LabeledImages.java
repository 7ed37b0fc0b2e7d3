package io.attune.simulators.schedule;

import io.attune.adaptation.data.ArrayReader;
import io.attune.adaptation.data.ByteData;
import io.attune.adaptation.data.DType;
import io.attune.adaptation.data.LabeledReader;
import io.attune.adaptation.data.MalformedDataException;
import io.attune.adaptation.data.Shape;
import io.attune.simulators.corruption.ImageShape;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;

/**
 * A labelled set of 8-bit images held in memory, the source a schedule draws from: the
 * Fashion-MNIST test split is 7.8 MB. The arrays are held, not copied; treat them as read-only.
 *
 * @param shape the layout of one image
 * @param pixels {@code count * shape.size()} bytes, image after image
 * @param labels one class index (0 or more) per image
 */
public record LabeledImages(ImageShape shape, byte[] pixels, int[] labels) {

  /** @throws IllegalArgumentException if the sizes disagree or a label is negative */
  public LabeledImages {
    Objects.requireNonNull(shape, "shape");
    Objects.requireNonNull(pixels, "pixels");
    Objects.requireNonNull(labels, "labels");
    if (pixels.length != (long) labels.length * shape.size()) {
      throw new IllegalArgumentException(labels.length + " labels need " + labels.length
          + " images of " + shape + " (" + (long) labels.length * shape.size() + " bytes), got "
          + pixels.length + " bytes");
    }
    for (int i = 0; i < labels.length; i++) {
      if (labels[i] < 0) {
        throw new IllegalArgumentException("label " + i + " is " + labels[i]
            + "; class indices are 0 or more");
      }
    }
  }

  /**
   * Reads uint8 images ({@code N x H x W} or {@code N x C x H x W}) and their labels from IDX or
   * NPY files, plain or gzipped.
   *
   * @throws MalformedDataException naming the file if the images are not uint8 of rank 3 or 4,
   *     the labels not integers, or the counts differ
   */
  public static LabeledImages read(Path images, Path labels) throws IOException {
    try (LabeledReader pair = LabeledReader.open(images, labels)) {
      final ArrayReader imageReader = pair.images();
      final ImageShape shape = imageShape(images, imageReader.dtype(), imageReader.shape());
      final int count = Math.toIntExact(pair.count());
      final byte[] pixels = imageReader.readBytes(count);
      final long[] wide = pair.labels().readLongs(count);
      final int[] classes = new int[count];
      for (int i = 0; i < count; i++) {
        if (wide[i] < 0 || wide[i] > Integer.MAX_VALUE) {
          throw new MalformedDataException(labels, "label " + i + " is " + wide[i]
              + "; class indices are 0 or more");
        }
        classes[i] = (int) wide[i];
      }
      return new LabeledImages(shape, pixels, classes);
    }
  }

  /** Number of images. */
  public int count() {
    return labels.length;
  }

  /** Number of classes: the largest label plus one. */
  public int classes() {
    return Arrays.stream(labels).max().orElse(-1) + 1;
  }

  /** The first {@code n} images (all of them if there are fewer), sharing no arrays. */
  public LabeledImages head(int n) {
    final int kept = Math.min(Math.max(n, 0), count());
    return new LabeledImages(shape, Arrays.copyOf(pixels, kept * shape.size()),
        Arrays.copyOf(labels, kept));
  }

  /**
   * A class-stratified subset of {@code n} images (all of them if there are fewer), sharing no
   * arrays: every class gets {@code n / classes} images, the first {@code n % classes} classes
   * one more, each class's images taken in source order; a class with too few gives what it has
   * and the rest is filled, in source order, from the images not yet taken. The subset keeps the
   * source order, so a stream over it mixes the classes as the source does. Deterministic: no
   * seed, the same source gives the same subset.
   *
   * @throws IllegalArgumentException if {@code n} is negative
   */
  public LabeledImages stratified(int n) {
    if (n < 0) {
      throw new IllegalArgumentException("a subset needs 0 or more images, got " + n);
    }
    if (n >= count()) {
      return head(count());
    }
    final int classCount = classes();
    final int[] quota = new int[classCount];
    for (int c = 0; c < classCount; c++) {
      quota[c] = n / classCount + (c < n % classCount ? 1 : 0);
    }
    final boolean[] taken = new boolean[count()];
    int kept = 0;
    for (int i = 0; i < count() && kept < n; i++) {
      if (quota[labels[i]] > 0) {
        quota[labels[i]]--;
        taken[i] = true;
        kept++;
      }
    }
    for (int i = 0; i < count() && kept < n; i++) {
      if (!taken[i]) {
        taken[i] = true;
        kept++;
      }
    }
    return select(taken, kept);
  }

  private LabeledImages select(boolean[] taken, int kept) {
    final int size = shape.size();
    final byte[] subsetPixels = new byte[kept * size];
    final int[] subsetLabels = new int[kept];
    int j = 0;
    for (int i = 0; i < taken.length; i++) {
      if (taken[i]) {
        System.arraycopy(pixels, i * size, subsetPixels, j * size, size);
        subsetLabels[j++] = labels[i];
      }
    }
    return new LabeledImages(shape, subsetPixels, subsetLabels);
  }

  /** Copies image {@code index} into {@code dst} at {@code offset}. */
  public void copyImage(int index, byte[] dst, int offset) {
    System.arraycopy(pixels, index * shape.size(), dst, offset, shape.size());
  }

  private static ImageShape imageShape(Path file, DType dtype, Shape shape)
      throws MalformedDataException {
    if (dtype != DType.UINT8) {
      throw new MalformedDataException(file, "images must be uint8 pixels, got "
          + dtype.label());
    }
    if (shape.rank() == 3) {
      return ImageShape.gray(shape.dim(1), shape.dim(2));
    }
    if (shape.rank() == 4) {
      return new ImageShape(shape.dim(1), shape.dim(2), shape.dim(3));
    }
    throw new MalformedDataException(file, "images must be N x H x W or N x C x H x W, got "
        + shape);
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof LabeledImages that && shape.equals(that.shape)
        && Arrays.equals(pixels, that.pixels) && Arrays.equals(labels, that.labels);
  }

  @Override
  public int hashCode() {
    return Objects.hash(shape, Arrays.hashCode(pixels), Arrays.hashCode(labels));
  }

  @Override
  public String toString() {
    return "LabeledImages[" + count() + " x " + shape + "]";
  }
}
