package io.attune.adaptation.method;

import io.attune.adaptation.bundle.ModelBundle;
import io.attune.adaptation.data.ArrayReader;
import io.attune.adaptation.data.DType;
import io.attune.adaptation.model.InvalidModelException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Clean images of the source distribution, preprocessed like the model's input, for methods that
 * measure the source model on clean data (EATA's Fisher information).
 *
 * @param inputs {@code count} samples {@code [N, C, H, W]}, row-major, preprocessed
 * @param count number of samples, at least 1
 */
public record SourceImages(float[] inputs, int count) {

  public SourceImages {
    if (count < 1 || inputs.length % count != 0) {
      throw new IllegalArgumentException(inputs.length + " values are not " + count
          + " samples of equal size");
    }
    inputs = inputs.clone();
  }

  @Override
  public float[] inputs() {
    return inputs.clone();
  }

  /** Values per sample. */
  public int sampleSize() {
    return inputs.length / count;
  }

  /** Samples {@code [from, from + n)}, flattened. */
  public float[] slice(int from, int n) {
    int size = sampleSize();
    return Arrays.copyOfRange(inputs, from * size, (from + n) * size);
  }

  /**
   * The images a bundle keeps ({@code prepare --source-images}, or its calibration set): uint8
   * pixels are normalized with the bundle's preprocessing, float32 taken as preprocessed.
   *
   * @throws InvalidModelException naming the bundle when it keeps none, or the file when it
   *     cannot be read or does not fit the model's input
   */
  public static SourceImages load(ModelBundle bundle, String needer) {
    Path file = bundle.sourceImages().orElseThrow(() -> new InvalidModelException(bundle.dir()
        + ": the bundle keeps no source images, which " + needer + " needs; prepare it with "
        + "--source-images (clean images of the training distribution)"));
    int size = bundle.manifest().inputShape().stream().reduce(1, Math::multiplyExact);
    try (ArrayReader reader = ArrayReader.open(file)) {
      if (reader.itemElements() != size) {
        throw new InvalidModelException(file + ": source images of shape " + reader.shape()
            + " do not fit the model's input " + bundle.manifest().inputShape());
      }
      int count = Math.toIntExact(reader.itemCount());
      if (reader.dtype() == DType.UINT8) {
        return new SourceImages(bundle.manifest().preprocess(reader.readAllBytes().data(),
            count), count);
      }
      if (reader.dtype() == DType.FLOAT32) {
        return new SourceImages(reader.readAllFloats().data(), count);
      }
      throw new InvalidModelException(file + ": source images must be uint8 or float32, not "
          + reader.dtype());
    } catch (IOException e) {
      throw new InvalidModelException(file + ": cannot read source images: " + e.getMessage(), e);
    }
  }
}
