package io.attune.adaptation.drift;

/**
 * Hand-made prediction rows over three classes for estimator tests: with an ATC threshold of
 * 0.5 nats, {@link #SURE0} and {@link #SURE1} (entropy 0.11) are confident, {@link #UNSURE0}
 * (entropy above 1) is not.
 */
public final class ThreeClassRows {

  public static final float[] SURE0 = {0.98f, 0.01f, 0.01f};
  public static final float[] SURE1 = {0.01f, 0.98f, 0.01f};
  public static final float[] UNSURE0 = {0.4f, 0.35f, 0.25f};

  private ThreeClassRows() {}

  /** The rows one after the other, {@code rows.length x 3}. */
  public static float[] rows(float[]... rows) {
    float[] out = new float[rows.length * 3];
    for (int i = 0; i < rows.length; i++) {
      System.arraycopy(rows[i], 0, out, 3 * i, 3);
    }
    return out;
  }
}
