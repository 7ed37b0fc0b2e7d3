package io.attune.adaptation.runtime;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import io.attune.adaptation.model.InvalidModelException;
import io.attune.adaptation.model.ModelCard;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

/**
 * A forward-only ONNX Runtime session of an image classifier: normalized input batches in,
 * logits out. Models exported with a fixed batch size are run chunk by chunk (the last chunk
 * zero-padded), so callers may pass any number of samples.
 *
 * <p>Not thread-safe for {@link #close()}; {@link #logits} may be called concurrently, as ONNX
 * Runtime sessions allow.
 */
public final class OnnxClassifier implements AutoCloseable {

  private final OrtEnvironment env;
  private final OrtSession session;
  private final ModelCard card;
  private final long[] sampleShape;
  private final int fixedBatch;

  private OnnxClassifier(OrtEnvironment env, OrtSession session, ModelCard card, int fixedBatch) {
    this.env = env;
    this.session = session;
    this.card = card;
    this.sampleShape = card.inputShape().stream().mapToLong(Integer::longValue).toArray();
    this.fixedBatch = fixedBatch;
  }

  /**
   * Opens {@code onnxFile} and checks that its input and output match {@code card}.
   *
   * @param threads ONNX Runtime intra-op threads; 0 lets ONNX Runtime choose
   * @throws InvalidModelException if the file is missing, not ONNX, or does not match the card
   */
  public static OnnxClassifier open(Path onnxFile, ModelCard card, int threads) {
    return open(onnxFile, card, RuntimeOptions.cpu(threads));
  }

  /** Opens {@code onnxFile} on the given execution provider. */
  public static OnnxClassifier open(Path onnxFile, ModelCard card, RuntimeOptions runtime) {
    if (!Files.isRegularFile(onnxFile)) {
      throw new InvalidModelException(onnxFile + ": no such ONNX model file");
    }
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    OrtSession session = null;
    try (OrtSession.SessionOptions options = runtime.sessionOptions("classifier")) {
      options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
      session = env.createSession(onnxFile.toString(), options);
      int fixedBatch = checkSignature(onnxFile, session, card);
      return new OnnxClassifier(env, session, card, fixedBatch);
    } catch (OrtException e) {
      closeQuietly(session, e);
      throw new InvalidModelException(onnxFile + ": ONNX Runtime cannot load it: "
          + e.getMessage(), e);
    } catch (RuntimeException e) {
      closeQuietly(session, e);
      throw e;
    }
  }

  /**
   * Runs the model on {@code count} samples laid out {@code [N, C, H, W]} in {@code input}.
   *
   * @return logits, {@code count x numClasses} in row-major order
   */
  public float[] logits(float[] input, int count) {
    int sampleSize = card.sampleSize();
    if (input.length < (long) count * sampleSize) {
      throw new IllegalArgumentException("need " + (long) count * sampleSize + " values for "
          + count + " samples, got " + input.length);
    }
    int classes = card.numClasses();
    float[] out = new float[count * classes];
    int chunk = fixedBatch > 0 ? fixedBatch : Math.max(count, 1);
    for (int start = 0; start < count; start += chunk) {
      int n = Math.min(chunk, count - start);
      float[] chunkInput = fixedBatch > 0 && n < fixedBatch
          ? Arrays.copyOfRange(input, start * sampleSize, (start + fixedBatch) * sampleSize)
          : null;
      FloatBuffer buffer = chunkInput != null
          ? FloatBuffer.wrap(chunkInput)
          : FloatBuffer.wrap(input, start * sampleSize, n * sampleSize).slice();
      int rows = fixedBatch > 0 ? fixedBatch : n;
      float[] chunkLogits = run(buffer, rows);
      System.arraycopy(chunkLogits, 0, out, start * classes, n * classes);
    }
    return out;
  }

  public ModelCard card() {
    return card;
  }

  @Override
  public void close() {
    try {
      session.close();
    } catch (OrtException e) {
      throw new IllegalStateException("ONNX Runtime failed to close the session", e);
    }
  }

  private float[] run(FloatBuffer batch, int rows) {
    long[] shape = new long[sampleShape.length + 1];
    shape[0] = rows;
    System.arraycopy(sampleShape, 0, shape, 1, sampleShape.length);
    try (OnnxTensor tensor = OnnxTensor.createTensor(env, batch, shape);
        OrtSession.Result result = session.run(Map.of(card.inputName(), tensor))) {
      OnnxValue value = result.get(card.outputName()).orElseThrow(() ->
          new IllegalStateException("ONNX Runtime returned no output " + card.outputName()));
      FloatBuffer logits = ((OnnxTensor) value).getFloatBuffer();
      float[] out = new float[logits.remaining()];
      logits.get(out);
      if (out.length != rows * card.numClasses()) {
        throw new IllegalStateException("model returned " + out.length + " logits for " + rows
            + " samples of " + card.numClasses() + " classes");
      }
      return out;
    } catch (OrtException e) {
      throw new IllegalStateException("ONNX Runtime failed on a batch of " + rows + ": "
          + e.getMessage(), e);
    }
  }

  /** Returns the model's fixed batch size, or 0 when the batch dimension is dynamic. */
  private static int checkSignature(Path file, OrtSession session, ModelCard card)
      throws OrtException {
    Map<String, NodeInfo> inputs = session.getInputInfo();
    NodeInfo input = inputs.get(card.inputName());
    if (input == null) {
      throw new InvalidModelException(file + ": has no input '" + card.inputName()
          + "' (inputs: " + inputs.keySet() + ")");
    }
    if (!session.getOutputNames().contains(card.outputName())) {
      throw new InvalidModelException(file + ": has no output '" + card.outputName()
          + "' (outputs: " + session.getOutputNames() + ")");
    }
    long[] shape = ((TensorInfo) input.getInfo()).getShape();
    if (shape.length != card.inputShape().size() + 1) {
      throw new InvalidModelException(file + ": input '" + card.inputName() + "' has shape "
          + Arrays.toString(shape) + ", expected [N, " + card.inputShape() + "]");
    }
    for (int i = 1; i < shape.length; i++) {
      if (shape[i] > 0 && shape[i] != card.inputShape().get(i - 1)) {
        throw new InvalidModelException(file + ": input '" + card.inputName() + "' has shape "
            + Arrays.toString(shape) + ", but the model description says " + card.inputShape());
      }
    }
    return shape[0] > 0 ? Math.toIntExact(shape[0]) : 0;
  }

  private static void closeQuietly(OrtSession session, Exception primary) {
    if (session == null) {
      return;
    }
    try {
      session.close();
    } catch (OrtException e) {
      primary.addSuppressed(e);
    }
  }
}
