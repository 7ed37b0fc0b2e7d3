package io.attune.adaptation.data;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Reads an images file and its labels file in step, IDX or NPY, plain or gzipped, after checking
 * that they describe the same items: labels are 1-d integers and there are as many as images.
 *
 * <pre>{@code
 * try (LabeledReader test = LabeledReader.open(dir.resolve("t10k-images-idx3-ubyte.gz"),
 *     dir.resolve("t10k-labels-idx1-ubyte.gz"))) {
 *   while (test.hasNext()) {
 *     LabeledBatch batch = test.readBatch(128);
 *   }
 * }
 * }</pre>
 */
public final class LabeledReader implements Closeable {

  private final ArrayReader images;
  private final ArrayReader labels;

  private LabeledReader(final ArrayReader images, final ArrayReader labels) {
    this.images = images;
    this.labels = labels;
  }

  /**
   * Opens both files and checks that they pair up.
   *
   * @throws MalformedDataException if either is malformed, the labels are not 1-d integers, or
   *     the counts differ; the message names the file at fault and the other one
   */
  public static LabeledReader open(final Path images, final Path labels) throws IOException {
    final ArrayReader imageReader = ArrayReader.open(images);
    try {
      final ArrayReader labelReader = ArrayReader.open(labels);
      try {
        checkPair(imageReader, labelReader);
        return new LabeledReader(imageReader, labelReader);
      } catch (IOException | RuntimeException mismatch) {
        labelReader.close();
        throw mismatch;
      }
    } catch (IOException | RuntimeException failure) {
      imageReader.close();
      throw failure;
    }
  }

  /** The images stream, for its shape and type; reading it directly desynchronises the pair. */
  public ArrayReader images() {
    return images;
  }

  /** The labels stream, for its shape and type; reading it directly desynchronises the pair. */
  public ArrayReader labels() {
    return labels;
  }

  /** Number of labelled items in the pair. */
  public long count() {
    return labels.itemCount();
  }

  /** True while items are left. */
  public boolean hasNext() {
    return images.hasNext();
  }

  /** The next {@code min(maxItems, remaining)} images (as floats) with their labels. */
  public LabeledBatch readBatch(final int maxItems) throws IOException {
    final int items = (int) Math.min(Math.max(maxItems, 0), images.remaining());
    final float[] x = images.readFloats(items);
    final long[] y = labels.readLongs(items);
    return new LabeledBatch(new FloatData(images.shape().withItems(items), x),
        new LongData(Shape.of(items), y));
  }

  /** All items not yet read, with their labels. */
  public LabeledBatch readAll() throws IOException {
    return new LabeledBatch(images.readAllFloats(), labels.readAllLongs());
  }

  @Override
  public void close() throws IOException {
    try {
      images.close();
    } finally {
      labels.close();
    }
  }

  private static void checkPair(final ArrayReader images, final ArrayReader labels)
      throws MalformedDataException {
    if (images.shape().rank() == 0) {
      throw new MalformedDataException(images.file(),
          "images need a first axis that counts them, found a scalar");
    }
    if (labels.shape().rank() != 1 || !labels.dtype().isInteger()) {
      throw new MalformedDataException(labels.file(), "labels must be a 1-d integer array,"
          + " found " + labels.shape() + " " + labels.dtype().label());
    }
    if (images.itemCount() != labels.itemCount()) {
      throw new MalformedDataException(labels.file(), "count mismatch: holds "
          + labels.itemCount() + " labels, but " + images.file() + " holds "
          + images.itemCount() + " images (" + images.shape() + ")");
    }
  }
}
