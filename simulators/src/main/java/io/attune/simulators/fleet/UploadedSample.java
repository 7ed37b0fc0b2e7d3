package io.attune.simulators.fleet;

import io.attune.simulators.corruption.ImageShape;
import java.util.Objects;

/**
 * A sample a simulated device decided to upload.
 *
 * @param model model id
 * @param cohort the device's cohort
 * @param device the device's id
 * @param sampleId unique within the cohort: {@code device-position}
 * @param shape layout of the pixels
 * @param pixels raw 8-bit pixels, {@code shape.size()} of them; held, not copied
 * @param label the true class, or -1 for open-set noise; for evaluation only, never adaptation
 */
public record UploadedSample(String model, String cohort, String device, String sampleId,
    ImageShape shape, byte[] pixels, int label) {

  public UploadedSample {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(cohort, "cohort");
    Objects.requireNonNull(device, "device");
    Objects.requireNonNull(sampleId, "sampleId");
    if (pixels.length != shape.size()) {
      throw new IllegalArgumentException(pixels.length + " pixels do not fill " + shape);
    }
  }
}
