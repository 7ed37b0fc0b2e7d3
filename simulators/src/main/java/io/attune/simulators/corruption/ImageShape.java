package io.attune.simulators.corruption;

/**
 * The layout of one 8-bit image: {@code channels} planes of {@code height x width} pixels, stored
 * channel after channel (CHW, the order of an ONNX {@code [N, C, H, W]} input without N).
 *
 * @param channels planes per image: 1 for grayscale (Fashion-MNIST), 3 for RGB
 * @param height rows per plane
 * @param width columns per row
 */
public record ImageShape(int channels, int height, int width) {

  /** @throws IllegalArgumentException naming the dimension that is not positive */
  public ImageShape {
    if (channels < 1 || height < 1 || width < 1) {
      throw new IllegalArgumentException("image shape needs positive channels, height and width, "
          + "got " + channels + " x " + height + " x " + width);
    }
    if ((long) channels * height * width > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("image of " + channels + " x " + height + " x " + width
          + " pixels does not fit one Java array");
    }
  }

  /** A single-channel image, such as a Fashion-MNIST one ({@code gray(28, 28)}). */
  public static ImageShape gray(int height, int width) {
    return new ImageShape(1, height, width);
  }

  /** Pixels in one plane, {@code height * width}. */
  public int plane() {
    return height * width;
  }

  /** Bytes one image occupies, {@code channels * height * width}. */
  public int size() {
    return channels * height * width;
  }

  @Override
  public String toString() {
    return channels + " x " + height + " x " + width;
  }
}
