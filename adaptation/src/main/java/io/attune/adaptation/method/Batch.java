package io.attune.adaptation.method;

/**
 * What a method sees of the traffic: preprocessed samples {@code [N, C, H, W]}, row-major. There
 * is no label field, so no method can read one.
 *
 * @param inputs {@code size} samples, flattened
 * @param size number of samples, at least 1
 */
public record Batch(float[] inputs, int size) {

  public Batch {
    if (size < 1) {
      throw new IllegalArgumentException("a batch needs at least one sample, got " + size);
    }
    if (inputs.length % size != 0) {
      throw new IllegalArgumentException(inputs.length + " values do not split into " + size
          + " samples");
    }
  }
}
