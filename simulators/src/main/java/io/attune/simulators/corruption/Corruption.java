package io.attune.simulators.corruption;

import java.util.List;
import java.util.Objects;
import java.util.stream.IntStream;

/**
 * A shift applied to 8-bit images, at severities 1 (mild) to 5 (strong), deterministic given a
 * seed. The built-in ones are in {@link Corruptions}; schedules find them by {@link #name()} in
 * a {@link CorruptionRegistry}.
 *
 * <p>Images are {@link ImageShape channels x height x width} bytes read as unsigned. Every
 * corruption works on any shape; with several channels, noise is drawn for each channel and
 * geometric or blur operations move all channels alike.
 *
 * <p>Two kinds of seed appear: an <em>image seed</em> decides everything random about one image
 * ({@link #corrupt}); a <em>stream seed</em> and an image's position in the stream give its image
 * seed through {@link Seeds#forImage}, which is what {@link #applyBatch} does, so a batch gives
 * the same bytes as the same images one at a time.
 */
public interface Corruption {

  /** The strongest severity; the weakest is 1. */
  int MAX_SEVERITY = 5;

  /** The name schedules use, lower case with underscores, e.g. {@code gaussian_noise}. */
  String name();

  /** The kind of shift. */
  Family family();

  /** Whether the result depends on the seed; false for, e.g., contrast or JPEG. */
  boolean random();

  /** The parameters behind each severity, for documentation. */
  List<Parameter> parameters();

  /**
   * Corrupts one image from {@code src} into {@code dst}; the two may be the same array.
   *
   * @param severity 1 to {@link #MAX_SEVERITY}
   * @param imageSeed decides every random choice for this image
   * @throws IllegalArgumentException if the severity is out of range or an array is too short
   */
  void corrupt(byte[] src, int srcOffset, byte[] dst, int dstOffset, ImageShape shape,
      int severity, long imageSeed);

  /** Returns a corrupted copy of {@code image}. */
  default byte[] apply(byte[] image, ImageShape shape, int severity, long imageSeed) {
    requireImages(image, 1, shape);
    final byte[] out = new byte[shape.size()];
    corrupt(image, 0, out, 0, shape, severity, imageSeed);
    return out;
  }

  /**
   * Corrupts {@code count} consecutive images, those at stream positions {@code firstIndex} to
   * {@code firstIndex + count - 1}, in parallel. Image {@code i} gets the image seed
   * {@code Seeds.forImage(streamSeed, firstIndex + i)}, so results do not depend on how a stream
   * is cut into batches or on the number of threads.
   *
   * @return the corrupted images, {@code count * shape.size()} bytes
   */
  default byte[] applyBatch(byte[] images, int count, ImageShape shape, int severity,
      long streamSeed, long firstIndex) {
    requireImages(images, count, shape);
    final int size = shape.size();
    final byte[] out = new byte[count * size];
    IntStream.range(0, count).parallel().forEach(i -> corrupt(images, i * size, out, i * size,
        shape, severity, Seeds.forImage(streamSeed, firstIndex + i)));
    return out;
  }

  private static void requireImages(byte[] images, int count, ImageShape shape) {
    Objects.requireNonNull(images, "images");
    Objects.requireNonNull(shape, "shape");
    if (count < 0 || images.length < (long) count * shape.size()) {
      throw new IllegalArgumentException(count + " images of " + shape + " need "
          + (long) count * shape.size() + " bytes, got " + images.length);
    }
  }
}
