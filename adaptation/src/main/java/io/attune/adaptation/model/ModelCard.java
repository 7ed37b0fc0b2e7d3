package io.attune.adaptation.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;

/**
 * What a classifier expects and promises, read from the {@code model.json} beside its ONNX file:
 * the input tensor's name and per-sample shape {@code [C, H, W]}, the preprocessing
 * {@code x = (pixel / pixelScale - mean[c]) / std[c]}, the output name and class names, and the
 * clean accuracy measured when it was trained (to check that Attune runs the very same model).
 *
 * @param name model identifier, e.g. {@code fmnist-resnet}
 * @param inputName name of the graph input that takes the image batch {@code [N, C, H, W]}
 * @param outputName name of the graph output with the logits {@code [N, classes]}
 * @param inputShape per-sample shape {@code [C, H, W]}
 * @param mean per-channel mean subtracted after scaling (one value, or one per channel)
 * @param std per-channel standard deviation divided by (one value, or one per channel)
 * @param pixelScale raw pixel values are divided by this first (255 for 8-bit images)
 * @param classNames one name per output class, in logit order
 * @param cleanTestAccuracy accuracy on the clean test split measured at training time, or NaN
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ModelCard(
    String name,
    String inputName,
    String outputName,
    List<Integer> inputShape,
    List<Float> mean,
    List<Float> std,
    float pixelScale,
    List<String> classNames,
    Double cleanTestAccuracy) {

  private static final ObjectMapper JSON =
      new ObjectMapper().configure(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES, true);

  public ModelCard {
    inputShape = List.copyOf(inputShape == null ? List.of() : inputShape);
    mean = List.copyOf(mean == null ? List.of() : mean);
    std = List.copyOf(std == null ? List.of() : std);
    classNames = List.copyOf(classNames == null ? List.of() : classNames);
  }

  /** Reads and validates a card, reporting every problem of the file at once. */
  public static ModelCard read(Path file) {
    ModelCard card;
    try {
      card = JSON.readValue(Files.readString(file), ModelCard.class);
    } catch (NoSuchFileException e) {
      throw new InvalidModelException(file + ": no such model description");
    } catch (JacksonException e) {
      throw new InvalidModelException(file + ": not a valid model description: "
          + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new InvalidModelException(file + ": cannot read: " + e.getMessage(), e);
    }
    List<String> problems = card.problems();
    if (!problems.isEmpty()) {
      throw new InvalidModelException(file + ": " + String.join("; ", problems));
    }
    return card;
  }

  /** Everything that makes this card unusable; empty when it is valid. */
  public List<String> problems() {
    List<String> problems = new ArrayList<>();
    if (isBlank(inputName)) {
      problems.add("inputName is missing");
    }
    if (isBlank(outputName)) {
      problems.add("outputName is missing");
    }
    if (inputShape.size() != 3 || inputShape.stream().anyMatch(d -> d == null || d <= 0)) {
      problems.add("inputShape must be [channels, height, width] with positive sizes, got "
          + inputShape);
    }
    int channels = inputShape.isEmpty() || inputShape.get(0) == null ? 1 : inputShape.get(0);
    checkPerChannel("mean", mean, channels, problems);
    checkPerChannel("std", std, channels, problems);
    if (std.stream().anyMatch(s -> s == null || !(s > 0))) {
      problems.add("std must be positive, got " + std);
    }
    if (!(pixelScale > 0)) {
      problems.add("pixelScale must be positive, got " + pixelScale);
    }
    if (classNames.size() < 2) {
      problems.add("classNames must name at least 2 classes, got " + classNames.size());
    }
    return problems;
  }

  /** Number of values in one sample, {@code C * H * W}. */
  public int sampleSize() {
    return inputShape.stream().mapToInt(Integer::intValue).reduce(1, Math::multiplyExact);
  }

  public int numClasses() {
    return classNames.size();
  }

  public OptionalDouble reportedAccuracy() {
    return cleanTestAccuracy == null || cleanTestAccuracy.isNaN()
        ? OptionalDouble.empty()
        : OptionalDouble.of(cleanTestAccuracy);
  }

  /**
   * Turns raw 8-bit pixels of {@code count} samples, laid out {@code [N, C, H, W]}, into the
   * model's normalized float input.
   */
  public float[] preprocess(byte[] pixels, int count) {
    return Pixels.normalize(pixels, count, inputShape, mean, std, pixelScale);
  }

  private static void checkPerChannel(String key, List<Float> values, int channels,
      List<String> problems) {
    if (values.size() != 1 && values.size() != channels) {
      problems.add(key + " needs 1 or " + channels + " values, got " + values.size());
    }
    if (values.stream().anyMatch(v -> v == null || !Float.isFinite(v))) {
      problems.add(key + " must be finite numbers, got " + values);
    }
  }

  private static boolean isBlank(String s) {
    return s == null || s.isBlank();
  }
}
