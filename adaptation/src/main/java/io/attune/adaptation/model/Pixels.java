package io.attune.adaptation.model;

import java.util.List;

/** Raw 8-bit pixels to a model's input: {@code (pixel / scale - mean[c]) / std[c]}. */
public final class Pixels {

  private Pixels() {}

  /**
   * Normalizes {@code count} samples laid out {@code [N, C, H, W]}.
   *
   * @param mean one value, or one per channel
   * @param std one value, or one per channel
   */
  public static float[] normalize(byte[] pixels, int count, List<Integer> sampleShape,
      List<Float> mean, List<Float> std, float scale) {
    int channels = sampleShape.get(0);
    int plane = sampleShape.get(1) * sampleShape.get(2);
    int sampleSize = channels * plane;
    int values = Math.multiplyExact(count, sampleSize);
    if (pixels.length < values) {
      throw new IllegalArgumentException("need " + values + " pixels for " + count
          + " samples of " + sampleShape + ", got " + pixels.length);
    }
    float[] out = new float[values];
    for (int s = 0; s < count; s++) {
      for (int c = 0; c < channels; c++) {
        float m = mean.size() == 1 ? mean.get(0) : mean.get(c);
        float inv = 1f / (std.size() == 1 ? std.get(0) : std.get(c));
        int base = s * sampleSize + c * plane;
        for (int i = 0; i < plane; i++) {
          out[base + i] = ((pixels[base + i] & 0xFF) / scale - m) * inv;
        }
      }
    }
    return out;
  }
}
