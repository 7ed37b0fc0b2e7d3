package io.attune.adaptation.runtime;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
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
 *
 * <p>A forward that no backward will follow ({@link #inferenceForward}, the source model's and
 * drift monitoring's) runs a third session of the same forward graph with the saved tensors
 * dropped from its outputs: the same nodes and kernels, so the same values, but ONNX Runtime
 * may then reuse those tensors' memory within the run instead of handing forty-odd
 * activations back. It is opened on first use, so a step that never asks for it pays nothing.
 */
public final class AdaptationStep implements AutoCloseable {

  /** Names of the step's graphs in profiles ({@link RuntimeOptions#withProfiling}). */
  public static final String FORWARD_GRAPH = "adapt-forward";
  public static final String BACKWARD_GRAPH = "adapt-backward";
  public static final String INFERENCE_GRAPH = "inference-forward";

  private final OrtEnvironment env = OrtEnvironment.getEnvironment();
  private final StepGraphs spec;
  private final OrtSession forwardSession;
  private final OrtSession backwardSession;
  private final InputBuffers buffers = new InputBuffers(env);
  private final RuntimeOptions runtime;
  private OrtSession inferenceSession;

  /**
   * Everything a step needs: the two graphs and how to feed them.
   *
   * @param scales initializer names of the normalization scales, in layer order
   * @param biases initializer names of the normalization biases, in layer order
   * @param sourceParams source values of every normalization parameter, fed when not overridden
   */
  public record StepGraphs(ModelProto forward, ModelProto backward, String input,
      long[] sampleShape, List<String> saved, int classes, int dim, List<String> scales,
      List<String> biases, Map<String, float[]> sourceParams) {

    /** The graphs of a model analysed in memory (tests, benchmarks, prepare itself). */
    public static StepGraphs of(ModelAnalysis analysis, long[] sampleShape) {
      AdaptationGraphs.Pair pair = AdaptationGraphs.build(analysis);
      return new StepGraphs(pair.forward(), pair.backward(), analysis.input(), sampleShape,
          pair.saved(), analysis.head().classes(), analysis.head().dim(),
          analysis.norms().stream().map(NormLayer::scale).toList(),
          analysis.norms().stream().map(NormLayer::bias).toList(),
          analysis.sourceParameters());
    }
  }

  public AdaptationStep(ModelAnalysis analysis, long[] sampleShape, int threads) {
    this(StepGraphs.of(analysis, sampleShape), RuntimeOptions.cpu(threads));
  }

  public AdaptationStep(StepGraphs spec, RuntimeOptions runtime) {
    this.spec = spec;
    this.runtime = runtime;
    try {
      this.forwardSession = open(spec.forward(), runtime, FORWARD_GRAPH);
      this.backwardSession = open(spec.backward(), runtime, BACKWARD_GRAPH);
    } catch (OrtException e) {
      throw new IllegalStateException("ONNX Runtime rejected a generated graph: "
          + e.getMessage(), e);
    }
  }

  private OrtSession open(ModelProto model, RuntimeOptions runtime, String graph)
      throws OrtException {
    try (OrtSession.SessionOptions options = runtime.sessionOptions(graph)) {
      return env.createSession(model.toByteArray(), options);
    }
  }

  public StepGraphs graphs() {
    return spec;
  }

  /** The outputs of one forward pass; close it to release the tensors kept for backward. */
  public static final class Forward implements AutoCloseable {
    private final OrtSession.Result result;
    private final OnnxTensor alpha;
    private final int batch;
    private final Runnable release;

    private Forward(OrtSession.Result result, OnnxTensor alpha, int batch, Runnable release) {
      this.result = result;
      this.alpha = alpha;
      this.batch = batch;
      this.release = release;
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

    /** Batch mean of the layer at {@code index}, over all axes but the channels. */
    public float[] batchMean(int index) {
      return floats(AdaptationGraphs.batchMeanOutput(index));
    }

    /** Biased batch variance of the layer at {@code index}. */
    public float[] batchVar(int index) {
      return floats(AdaptationGraphs.batchVarOutput(index));
    }

    private float[] floats(String name) {
      OnnxTensor t = (OnnxTensor) result.get(name).orElseThrow();
      FloatBuffer b = t.getFloatBuffer();
      float[] out = new float[b.remaining()];
      b.get(out);
      return out;
    }

    /** Closes the outputs and gives the input buffers back for the next forward. */
    @Override
    public void close() {
      result.close();
      release.run();
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
    return run(forwardSession, input, batch, params, alpha);
  }
  /**
   * Runs the forward graph for outputs only: logits, features and batch statistics as
   * {@link #forward} gives them, but no tensors for {@link #backward}, which rejects the
   * result. For the source model ({@code alpha = 1}) and any other forward-only pass.
   */
  public Forward inferenceForward(float[] input, int batch, Map<String, float[]> params,
      float alpha) {
    return run(inferenceSession(), input, batch, params, alpha);
  }

  /**
   * Opens the session {@link #inferenceForward} runs now rather than on its first call, so that
   * a service can keep the seconds of session setup out of its first batch.
   */
  public void openInferenceSession() {
    inferenceSession();
  }

  private synchronized OrtSession inferenceSession() {
    if (inferenceSession == null) {
      try {
        inferenceSession = open(withoutSaved(spec.forward(), spec.saved()), runtime,
            INFERENCE_GRAPH);
      } catch (OrtException e) {
        throw new IllegalStateException("ONNX Runtime rejected the inference forward graph: "
            + e.getMessage(), e);
      }
    }
    return inferenceSession;
  }

  /** The forward graph with the saved tensors removed from its outputs. */
  static ModelProto withoutSaved(ModelProto forward, List<String> saved) {
    java.util.Set<String> drop = new java.util.HashSet<>(saved);
    drop.removeIf(name -> name.equals(AdaptationGraphs.LOGITS)
        || name.equals(AdaptationGraphs.FEATURES) || name.startsWith("attune/batch_"));
    GraphProto.Builder g = forward.getGraph().toBuilder().clearOutput();
    for (ValueInfoProto out : forward.getGraph().getOutputList()) {
      if (!drop.contains(out.getName())) {
        g.addOutput(out);
      }
    }
    return forward.toBuilder().setGraph(g).build();
  }

  private Forward run(OrtSession session, float[] input, int batch, Map<String, float[]> params,
      float alpha) {
    for (String name : params.keySet()) {
      if (!spec.sourceParams().containsKey(name)) {
        throw new IllegalArgumentException("no normalization parameter named '" + name + "'");
      }
    }
    InputBuffers.Set set = buffers.lease();
    try {
      long[] sampleShape = spec.sampleShape();
      long[] shape = new long[sampleShape.length + 1];
      shape[0] = batch;
      System.arraycopy(sampleShape, 0, shape, 1, sampleShape.length);
      Map<String, OnnxTensor> feed = new HashMap<>();
      feed.put(spec.input(), set.put(spec.input(), input, shape));
      OnnxTensor alphaTensor = set.scalar(AdaptationGraphs.ALPHA, alpha);
      feed.put(AdaptationGraphs.ALPHA, alphaTensor);
      for (Map.Entry<String, float[]> p : spec.sourceParams().entrySet()) {
        float[] value = params.getOrDefault(p.getKey(), p.getValue());
        feed.put(p.getKey(), set.put(p.getKey(), value, new long[] {value.length}));
      }
      return new Forward(session.run(feed), alphaTensor, batch,
          () -> buffers.release(set));
    } catch (OrtException | RuntimeException e) {
      buffers.release(set);
      if (e instanceof RuntimeException r) {
        throw r;
      }
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
    float[] df = dFeatures != null ? dFeatures : new float[n * spec.dim()];
    InputBuffers.Set set = buffers.lease();
    try {
      Map<String, OnnxTensor> feed = new HashMap<>();
      feed.put(AdaptationGraphs.D_LOGITS, set.put(AdaptationGraphs.D_LOGITS, dLogits,
          new long[] {n, spec.classes()}));
      feed.put(AdaptationGraphs.D_FEATURES, set.put(AdaptationGraphs.D_FEATURES, df,
          new long[] {n, spec.dim()}));
      feed.put(AdaptationGraphs.ALPHA, forward.alpha);
      for (String s : spec.saved()) {
        OnnxValue v = forward.result.get(s).orElseThrow(() ->
            new IllegalStateException("forward did not keep '" + s + "' (an inference forward "
                + "keeps nothing for backward)"));
        feed.put(s, (OnnxTensor) v);
      }
      Map<String, float[]> grads = new LinkedHashMap<>();
      try (OrtSession.Result result = backwardSession.run(feed)) {
        for (List<String> group : List.of(spec.scales(), spec.biases())) {
          for (String param : group) {
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
      buffers.release(set);
    }
  }

  @Override
  public void close() {
    try {
      buffers.close();
      forwardSession.close();
      backwardSession.close();
      synchronized (this) {
        if (inferenceSession != null) {
          inferenceSession.close();
        }
      }
    } catch (OrtException e) {
      throw new IllegalStateException("ONNX Runtime failed to close a session", e);
    }
  }
}
