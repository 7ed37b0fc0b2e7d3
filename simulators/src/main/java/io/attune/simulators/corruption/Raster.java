package io.attune.simulators.corruption;

/**
 * An image as floats in [0, 1] while a corruption works on it, CHW like the bytes it came from.
 * Values may leave [0, 1] on the way (noise); {@link #write} rounds and clips once at the end, so
 * chained steps do not lose precision to intermediate 8-bit rounding.
 */
final class Raster {

  final int channels;
  final int height;
  final int width;
  final float[] data;

  Raster(int channels, int height, int width) {
    this.channels = channels;
    this.height = height;
    this.width = width;
    this.data = new float[channels * height * width];
  }

  static Raster read(byte[] src, int offset, ImageShape shape) {
    final Raster image = new Raster(shape.channels(), shape.height(), shape.width());
    for (int i = 0; i < image.data.length; i++) {
      image.data[i] = (src[offset + i] & 0xFF) / 255f;
    }
    return image;
  }

  void write(byte[] dst, int offset) {
    for (int i = 0; i < data.length; i++) {
      dst[offset + i] = (byte) toByte(data[i]);
    }
  }

  static int toByte(float value) {
    return Math.max(0, Math.min(255, Math.round(value * 255f)));
  }

  Raster blank() {
    return new Raster(channels, height, width);
  }

  int plane() {
    return height * width;
  }

  /** The value at ({@code y}, {@code x}) of {@code channel}, with edge pixels repeated outside. */
  float clamped(int channel, int y, int x) {
    final int row = Math.max(0, Math.min(height - 1, y));
    final int column = Math.max(0, Math.min(width - 1, x));
    return data[channel * plane() + row * width + column];
  }

  /** Bilinear sample at a fractional position; outside the image is black, as a camera sees. */
  float bilinear(int channel, float y, float x) {
    final int y0 = (int) Math.floor(y);
    final int x0 = (int) Math.floor(x);
    final float fy = y - y0;
    final float fx = x - x0;
    final int base = channel * plane();
    return (1 - fy) * ((1 - fx) * at(base, y0, x0) + fx * at(base, y0, x0 + 1))
        + fy * ((1 - fx) * at(base, y0 + 1, x0) + fx * at(base, y0 + 1, x0 + 1));
  }

  private float at(int base, int y, int x) {
    return y < 0 || y >= height || x < 0 || x >= width ? 0f : data[base + y * width + x];
  }
}
