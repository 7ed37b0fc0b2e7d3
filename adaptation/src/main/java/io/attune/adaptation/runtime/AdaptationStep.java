package io.attune.adaptation.runtime;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.attune.adaptation.onnx.internal.AdaptationGraphs;
import io.attune.adaptation.onnx.internal.ModelAnalysis;
import io.attune.adaptation.onnx.internal.NormLayer;
import java.nio.FloatBuffer;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * ONNX Runtime sessions of a model's adaptation graphs: {@link #forward} gives logits,
 * features and batch statistics with calibrated normalization, and {@link #backward} the
 * gradient of any loss on that forward's logits and features with respect to every
 * normalization scale and bias. The tensors the backward needs stay in ONNX Runtime between
 * the two calls (held by the {@link Forward}), so nothing is recomputed or copied into Java.
 */
public final class AdaptationStep implements AutoCloseable {

  private final OrtEnvironment env = OrtEnvironment.getEnvironment();
  private final ModelAnalysis analysis;
  private final AdaptationGraphs.Pair graphs;
  private final OrtSession forwardSession;
  private final OrtSession backwardSession;
  private final long[] sampleShape;
  private final Map<String, float[]> sourceParams;

  public AdaptationStep(ModelAnalysis analysis, long[] sampleShape, int threads) {
    this.analysis = analysis;
    this.sampleShape = sampleShape.clone();
    this.graphs = AdaptationGraphs.build(analysis);
    this.sourceParams = analysis.sourceParameters();
    try {
      this.forwardSession = open(graphs.forward(), threads);
      this.backwardSession = open(graphs.backward(), threads);
    } catch (OrtException e) {
      throw new IllegalStateException("ONNX Runtime rejected a generated graph: "
          + e.getMessage(), e);
    }
  }

  private OrtSession open(ModelProto model, int threads) throws OrtException {
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      options.setIntraOpNumThreads(threads);
      // Overridable initializers are the point of these graphs; ONNX Runtime warns about each.
      options.setSessionLogLevel(ai.onnxruntime.OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR);
      return env.createSession(model.toByteArray(), options);
    }
  }

  public List<NormLayer> norms() {
    return analysis.norms();
  }

  public AdaptationGraphs.Pair graphs() {
    return graphs;
  }

  /** The outputs of one forward pass; close it to release the tensors kept for backward. */
  public static final class Forward implements AutoCloseable {
    private final OrtSession.Result result;
    private final Map<String, OnnxTensor> fed;
    private final int batch;

    private Forward(OrtSession.Result result, Map<String, OnnxTensor> fed, int batch) {
      this.result = result;
      this.fed = fed;
      this.batch = batch;
    }

    public int batch() {
      return batch;
    }

    public float[] logits() {
      return floats(AdaptationGraphs.LOGITS);
    }

    public float[] features() {
      return floats(AdaptationGraphs.FEATURES);
    }

    public float[] batchMean(NormLayer layer) {
      return floats(AdaptationGraphs.batchMeanOutput(layer));
    }

    public float[] batchVar(NormLayer layer) {
      return floats(AdaptationGraphs.batchVarOutput(layer));
    }

    private float[] floats(String name) {
      OnnxTensor t = (OnnxTensor) result.get(name).orElseThrow();
      FloatBuffer b = t.getFloatBuffer();
      float[] out = new float[b.remaining()];
      b.get(out);
      return out;
    }

    @Override
    public void close() {
      result.close();
      fed.values().forEach(OnnxTensor::close);
    }
  }

  /**
   * Runs the forward graph.
   *
   * @param input {@code batch} samples, preprocessed, {@code [N, C, H, W]}
   * @param params overrides of normalization parameters by initializer name (scale, bias,
   *     mean, var); absent ones keep the source values
   * @param alpha weight of the source statistics: 1 = source model, 0 = batch statistics
   */
  public Forward forward(float[] input, int batch, Map<String, float[]> params, float alpha) {
    Map<String, OnnxTensor> feed = new LinkedHashMap<>();
    try {
      long[] shape = new long[sampleShape.length + 1];
      shape[0] = batch;
      System.arraycopy(sampleShape, 0, shape, 1, sampleShape.length);
      feed.put(analysis.input(), OnnxTensor.createTensor(env, FloatBuffer.wrap(input), shape));
      feed.put(AdaptationGraphs.ALPHA, OnnxTensor.createTensor(env, alpha));
      Map<String, float[]> all = new LinkedHashMap<>(sourceParams);
      for (String name : params.keySet()) {
        if (!all.containsKey(name)) {
          throw new IllegalArgumentException("no normalization parameter named '" + name + "'");
        }
      }
      all.putAll(params);
      for (Map.Entry<String, float[]> p : all.entrySet()) {
        feed.put(p.getKey(), OnnxTensor.createTensor(env, FloatBuffer.wrap(p.getValue()),
            new long[] {p.getValue().length}));
      }
      return new Forward(forwardSession.run(feed), feed, batch);
    } catch (OrtException e) {
      feed.values().forEach(OnnxTensor::close);
      throw new IllegalStateException("forward pass failed: " + e.getMessage(), e);
    }
  }

  /**
   * Gradients of a loss defined on {@code forward}'s logits and features.
   *
   * @param dLogits dL/dlogits, {@code [N, classes]}
   * @param dFeatures dL/dfeatures, {@code [N, D]}, or null when the loss ignores features
   * @return dL/dparam for every normalization scale and bias, by initializer name
   */
  public Map<String, float[]> backward(Forward forward, float[] dLogits, float[] dFeatures) {
    int n = forward.batch();
    float[] df = dFeatures != null ? dFeatures : new float[n * analysis.head().dim()];
    Map<String, OnnxTensor> owned = new HashMap<>();
    try {
      owned.put(AdaptationGraphs.D_LOGITS, OnnxTensor.createTensor(env, FloatBuffer.wrap(dLogits),
          new long[] {n, analysis.head().classes()}));
      owned.put(AdaptationGraphs.D_FEATURES, OnnxTensor.createTensor(env, FloatBuffer.wrap(df),
          new long[] {n, analysis.head().dim()}));
      Map<String, OnnxTensor> feed = new HashMap<>(owned);
      feed.put(AdaptationGraphs.ALPHA, forward.fed.get(AdaptationGraphs.ALPHA));
      for (String s : graphs.saved()) {
        OnnxValue v = forward.result.get(s).orElseThrow(() ->
            new IllegalStateException("forward did not keep '" + s + "'"));
        feed.put(s, (OnnxTensor) v);
      }
      Map<String, float[]> grads = new LinkedHashMap<>();
      try (OrtSession.Result result = backwardSession.run(feed)) {
        for (NormLayer layer : analysis.norms()) {
          for (String param : List.of(layer.scale(), layer.bias())) {
            FloatBuffer b = ((OnnxTensor) result.get("grad/" + param).orElseThrow())
                .getFloatBuffer();
            float[] g = new float[b.remaining()];
            b.get(g);
            grads.put(param, g);
          }
        }
      }
      return grads;
    } catch (OrtException e) {
      throw new IllegalStateException("backward pass failed: " + e.getMessage(), e);
    } finally {
      owned.values().forEach(OnnxTensor::close);
    }
  }

  @Override
  public void close() {
    try {
      forwardSession.close();
      backwardSession.close();
    } catch (OrtException e) {
      throw new IllegalStateException("ONNX Runtime failed to close a session", e);
    }
  }
}
