package io.attune.topology.processor;

import io.attune.schemas.DType;
import io.attune.schemas.InferenceSample;
import io.attune.schemas.RejectReason;
import io.attune.schemas.Tensor;
import io.attune.topology.ModelCatalog;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Decides whether one traffic record may enter adaptation. Pure: no stores, no Kafka context,
 * so every rule is tested on hand-made records.
 *
 * <p>Rules, in order: the value fits the size limit; it decodes; model and cohort are valid
 * names and the key is {@code model/cohort} (traffic is partitioned by that key, and a sample
 * under another key would be adapted in the wrong cohort's order); the model is in the catalog;
 * the tensor's dtype is FLOAT32 or UINT8 and its shape equals the bundle's input; the byte count
 * matches the shape; every float is finite.
 */
public final class TrafficValidator {

  /** A record's fate. */
  public sealed interface Verdict permits Valid, Rejected {}

  /** Accepted: the decoded sample under its cohort key. */
  public record Valid(String cohortKey, InferenceSample sample) implements Verdict {}

  /** Refused, with a typed reason and a sentence naming the numbers. */
  public record Rejected(RejectReason reason, String detail, String sampleId)
      implements Verdict {}

  /** Turns value bytes into a sample; throws on bytes that are not one. */
  public interface Decoder {
    InferenceSample decode(byte[] value);
  }

  private final int maxRecordBytes;
  private final Decoder decoder;
  private final Function<String, Optional<List<Integer>>> inputShapeOfModel;

  /**
   * @param maxRecordBytes largest value accepted, in bytes
   * @param inputShapeOfModel the input shape without batch dimension of each catalog model,
   *     empty for unknown models
   */
  public TrafficValidator(int maxRecordBytes, Decoder decoder,
      Function<String, Optional<List<Integer>>> inputShapeOfModel) {
    this.maxRecordBytes = maxRecordBytes;
    this.decoder = decoder;
    this.inputShapeOfModel = inputShapeOfModel;
  }

  public Verdict check(byte[] key, byte[] value) {
    if (value == null) {
      return new Rejected(RejectReason.MALFORMED, "record has no value (a tombstone?)", null);
    }
    if (value.length > maxRecordBytes) {
      return new Rejected(RejectReason.OVERSIZE, "value is " + value.length
          + " bytes, the limit is " + maxRecordBytes, null);
    }
    InferenceSample sample;
    try {
      sample = decoder.decode(value);
    } catch (RuntimeException e) {
      return new Rejected(RejectReason.MALFORMED, "not an InferenceSample: " + e.getMessage(),
          null);
    }
    return checkSample(key, sample);
  }

  private Verdict checkSample(byte[] key, InferenceSample sample) {
    String id = sample.getSampleId();
    String expectedKey = sample.getModel() + "/" + sample.getCohort();
    if (!ModelCatalog.NAME.matcher(sample.getModel()).matches()
        || !ModelCatalog.NAME.matcher(sample.getCohort()).matches()) {
      return new Rejected(RejectReason.KEY_MISMATCH, "model '" + sample.getModel()
          + "' and cohort '" + sample.getCohort() + "' must match "
          + ModelCatalog.NAME.pattern(), id);
    }
    String actualKey = key == null ? null : new String(key, StandardCharsets.UTF_8);
    if (!expectedKey.equals(actualKey)) {
      return new Rejected(RejectReason.KEY_MISMATCH, "key '" + actualKey
          + "' is not the sample's '" + expectedKey + "'", id);
    }
    Optional<List<Integer>> shape = inputShapeOfModel.apply(sample.getModel());
    if (shape.isEmpty()) {
      return new Rejected(RejectReason.UNKNOWN_MODEL, "model '" + sample.getModel()
          + "' is not in the worker's catalog", id);
    }
    return checkTensor(sample, shape.get())
        .<Verdict>map(r -> r)
        .orElseGet(() -> new Valid(expectedKey, sample));
  }

  private static Optional<Rejected> checkTensor(InferenceSample sample, List<Integer> expected) {
    Tensor t = sample.getInput();
    String id = sample.getSampleId();
    if (t.getDtype() != DType.FLOAT32 && t.getDtype() != DType.UINT8) {
      return Optional.of(new Rejected(RejectReason.WRONG_DTYPE, "dtype " + t.getDtype()
          + ", the model takes FLOAT32 or UINT8", id));
    }
    if (!t.getShape().equals(expected)) {
      return Optional.of(new Rejected(RejectReason.WRONG_SHAPE, "shape " + t.getShape()
          + ", the model takes " + expected, id));
    }
    long elements = expected.stream().mapToLong(Integer::longValue).reduce(1, (a, b) -> a * b);
    int width = t.getDtype() == DType.FLOAT32 ? Float.BYTES : 1;
    if (t.getData().remaining() != elements * width) {
      return Optional.of(new Rejected(RejectReason.WRONG_SHAPE, t.getData().remaining()
          + " data bytes, shape " + expected + " of " + t.getDtype() + " needs "
          + elements * width, id));
    }
    if (t.getDtype() == DType.FLOAT32) {
      FloatBuffer floats = t.getData().duplicate().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
      for (int i = 0; i < floats.limit(); i++) {
        if (!Float.isFinite(floats.get(i))) {
          return Optional.of(new Rejected(RejectReason.NON_FINITE, "element " + i + " is "
              + floats.get(i), id));
        }
      }
    }
    return Optional.empty();
  }

  /** The sample's elements as the model's float input. */
  public static float[] toModelInput(InferenceSample sample,
      Function<byte[], float[]> preprocessPixels) {
    Tensor t = sample.getInput();
    ByteBuffer data = t.getData().duplicate();
    if (t.getDtype() == DType.UINT8) {
      byte[] pixels = new byte[data.remaining()];
      data.get(pixels);
      return preprocessPixels.apply(pixels);
    }
    float[] out = new float[data.remaining() / Float.BYTES];
    data.order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
    return out;
  }

  @Override
  public String toString() {
    return "TrafficValidator[maxRecordBytes=" + maxRecordBytes + "]";
  }

}
