package io.attune.adaptation.runtime;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.attune.adaptation.bundle.ModelBundle;
import io.attune.adaptation.model.InvalidModelException;
import io.attune.adaptation.onnx.internal.EdgeGraph;
import java.nio.FloatBuffer;
import java.util.HashMap;
import java.util.Map;

/**
 * Forward-only inference with a bundle's edge graph: what a device runs, with whatever
 * normalization parameters it was last sent (the source values until then).
 */
public final class EdgeSession implements AutoCloseable {

  /** This graph's name in profiles ({@link RuntimeOptions#withProfiling}). */
  public static final String GRAPH = "edge";

  private final OrtEnvironment env = OrtEnvironment.getEnvironment();
  private final OrtSession session;
  private final String input;
  private final long[] sampleShape;
  private final int classes;
  private final int dim;
  private final Map<String, float[]> sourceParams;
  private final InputBuffers buffers = new InputBuffers(env);

  /** Logits {@code [N, classes]} and features {@code [N, dim]}, row-major. */
  public record Output(float[] logits, float[] features) {}

  public EdgeSession(ModelBundle bundle, RuntimeOptions runtime) {
    this.input = bundle.manifest().input();
    this.sampleShape = bundle.sampleShape();
    this.classes = bundle.manifest().head().classes();
    this.dim = bundle.manifest().head().dim();
    this.sourceParams = bundle.sourceParameters();
    try (OrtSession.SessionOptions options = runtime.sessionOptions(GRAPH)) {
      this.session = env.createSession(bundle.edgeGraph().toString(), options);
    } catch (OrtException e) {
      throw new InvalidModelException(bundle.edgeGraph() + ": ONNX Runtime cannot load it: "
          + e.getMessage(), e);
    }
  }

  /**
   * Runs the edge graph.
   *
   * @param params normalization parameters by initializer name; absent ones are the source's
   */
  public Output infer(float[] batchInput, int batch, Map<String, float[]> params) {
    for (String name : params.keySet()) {
      if (!sourceParams.containsKey(name)) {
        throw new IllegalArgumentException("no normalization parameter named '" + name + "'");
      }
    }
    InputBuffers.Set set = buffers.lease();
    try {
      long[] shape = new long[sampleShape.length + 1];
      shape[0] = batch;
      System.arraycopy(sampleShape, 0, shape, 1, sampleShape.length);
      Map<String, OnnxTensor> feed = new HashMap<>();
      feed.put(input, set.put(input, batchInput, shape));
      for (Map.Entry<String, float[]> p : sourceParams.entrySet()) {
        float[] value = params.getOrDefault(p.getKey(), p.getValue());
        feed.put(p.getKey(), set.put(p.getKey(), value, new long[] {value.length}));
      }
      try (OrtSession.Result r = session.run(feed)) {
        return new Output(read(r, EdgeGraph.LOGITS, batch * classes),
            read(r, EdgeGraph.FEATURES, batch * dim));
      }
    } catch (OrtException e) {
      throw new IllegalStateException("edge inference failed: " + e.getMessage(), e);
    } finally {
      buffers.release(set);
    }
  }

  private static float[] read(OrtSession.Result r, String name, int expected) {
    FloatBuffer b = ((OnnxTensor) r.get(name).orElseThrow()).getFloatBuffer();
    float[] out = new float[b.remaining()];
    b.get(out);
    if (out.length != expected) {
      throw new IllegalStateException(name + " has " + out.length + " values, expected "
          + expected);
    }
    return out;
  }

  @Override
  public void close() {
    try {
      buffers.close();
      session.close();
    } catch (OrtException e) {
      throw new IllegalStateException("ONNX Runtime failed to close the edge session", e);
    }
  }
}
