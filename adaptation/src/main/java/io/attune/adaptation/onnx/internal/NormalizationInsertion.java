package io.attune.adaptation.onnx.internal;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.attune.adaptation.model.InvalidModelException;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntFunction;

/**
 * Makes a model whose BatchNormalization was folded into its convolutions adaptable again, by
 * inserting a normalization layer after each convolution that feeds an activation or a
 * residual add (where the folded BN sat), calibrated so that the model is unchanged.
 *
 * <p>Let {@code z = conv(x)} be a folded convolution's output and {@code mu_s, var_s} its
 * per-channel mean and (biased) variance over the calibration images. The inserted layer is
 * <pre>
 *   y = gamma * (z - mu) / sqrt(var + eps) + beta,   gamma = sqrt(var_s + eps), beta = mu_s,
 *   with source statistics mu = mu_s, var = var_s
 * </pre>
 * so at source statistics {@code y = z}: the model is unchanged. With batch statistics,
 * {@code y = sqrt(var_s + eps) (z - mu_b)/sqrt(var_b + eps) + mu_s}. The folded convolution is
 * {@code z = a u + b} of the unfolded one's output {@code u}, with {@code a = g0/sqrt(rv + eps)}
 * and {@code b = b0 - a rm} (g0, b0, rm, rv: the original BN's parameters and running
 * statistics). Batch statistics transform the same way ({@code mu_b = a mu_b(u) + b},
 * {@code var_b = a^2 var_b(u)}) and the source ones give {@code mu_s = b0} and
 * {@code var_s = g0^2 rv/(rv + eps)} when the calibration images reproduce the running
 * statistics. Substituting,
 * <pre>
 *   y = sign(a) g0 (u - mu_b(u)) / sqrt(var_b(u) + eps') + b0,   eps' ~ eps / a^2,
 * </pre>
 * which is test-time BN of the unfolded model, up to the calibration images' statistics
 * against the training running statistics, and eps against eps/a^2 (negligible unless a
 * channel's batch variance is tiny). gamma and beta also equal g0 and b0 up to sign, so
 * gradient steps on them behave like steps on the original BN parameters.
 *
 * <p>Convolutions of 1 x 1 spatial inputs (squeeze-and-excitation gates after a global pool,
 * convolutional heads) are left alone: they had no BN to fold, and batch statistics over N
 * samples alone are noise.
 */
public final class NormalizationInsertion {

  private static final Set<String> ACTIVATIONS = Set.of("Relu", "LeakyRelu", "Clip", "Sigmoid",
      "HardSigmoid", "HardSwish", "Tanh", "Elu", "Selu", "PRelu", "Add", "Sum", "Mul");
  static final float EPSILON = 1e-5f;

  private NormalizationInsertion() {}

  /** The convolutions that get a normalization layer, by output tensor. */
  public static List<NodeProto> candidates(Graph graph, ShapeProbe.Shapes shapes) {
    List<NodeProto> convs = new ArrayList<>();
    for (NodeProto node : graph.nodes()) {
      if (!node.getOpType().equals("Conv")) {
        continue;
      }
      String out = node.getOutput(0);
      long[] dims = shapes.of(node.getInput(0));
      boolean spatial = false;
      for (int i = 2; i < dims.length; i++) {
        spatial |= dims[i] > 1;
      }
      boolean feedsActivation = graph.consumers(out).stream()
          .anyMatch(c -> ACTIVATIONS.contains(c.getOpType()));
      if (spatial && feedsActivation) {
        convs.add(node);
      }
    }
    return convs;
  }

  /**
   * Inserts calibrated normalization layers.
   *
   * @param calibration batches of preprocessed calibration images ({@code [n, C, H, W]} each,
   *     flattened), by index; null ends the stream
   */
  public static ModelProto insert(ModelProto model, String input, long[] sampleShape,
      ShapeProbe.Shapes shapes, IntFunction<float[]> calibration) {
    Graph graph = new Graph(model.getGraph());
    List<NodeProto> convs = candidates(graph, shapes);
    if (convs.isEmpty()) {
      throw new InvalidModelException("the model has no BatchNormalization layer and no "
          + "convolution feeding an activation or a residual add, so there is nothing Attune "
          + "can adapt");
    }
    Map<String, double[][]> stats = calibrate(model, input, sampleShape, convs, calibration);
    return rewire(model, graph, convs, stats);
  }

  private static Map<String, double[][]> calibrate(ModelProto model, String input,
      long[] sampleShape, List<NodeProto> convs, IntFunction<float[]> calibration) {
    GraphProto.Builder g = model.getGraph().toBuilder();
    for (NodeProto conv : convs) {
      g.addOutput(ValueInfoProto.newBuilder().setName(conv.getOutput(0)));
    }
    Map<String, ChannelMoments> moments = new HashMap<>();
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    int sampleSize = 1;
    for (long d : sampleShape) {
      sampleSize *= (int) d;
    }
    try (OrtSession.SessionOptions o = new OrtSession.SessionOptions();
        OrtSession session = env.createSession(model.toBuilder().setGraph(g).build()
            .toByteArray(), o)) {
      for (int b = 0; ; b++) {
        float[] batch = calibration.apply(b);
        if (batch == null) {
          break;
        }
        long[] shape = new long[sampleShape.length + 1];
        shape[0] = batch.length / sampleSize;
        System.arraycopy(sampleShape, 0, shape, 1, sampleShape.length);
        try (OnnxTensor x = OnnxTensor.createTensor(env, FloatBuffer.wrap(batch), shape);
            OrtSession.Result r = session.run(Map.of(input, x))) {
          for (NodeProto conv : convs) {
            OnnxTensor t = (OnnxTensor) r.get(conv.getOutput(0)).orElseThrow();
            moments.computeIfAbsent(conv.getOutput(0), k -> new ChannelMoments())
                .add(t.getFloatBuffer(), t.getInfo().getShape());
          }
        }
      }
    } catch (OrtException e) {
      throw new InvalidModelException("ONNX Runtime cannot run the model on the calibration "
          + "images: " + e.getMessage(), e);
    }
    if (moments.isEmpty()) {
      throw new InvalidModelException("no calibration images were given");
    }
    Map<String, double[][]> stats = new HashMap<>();
    moments.forEach((k, v) -> stats.put(k, v.meanAndVariance()));
    return stats;
  }

  private static ModelProto rewire(ModelProto model, Graph graph, List<NodeProto> convs,
      Map<String, double[][]> stats) {
    Set<String> taken = new HashSet<>(graph.names());
    Map<String, String> renamed = new HashMap<>();
    GraphProto.Builder g = model.getGraph().toBuilder().clearNode();
    for (NodeProto node : graph.nodes()) {
      NodeProto.Builder rewired = node.toBuilder();
      for (int i = 0; i < node.getInputCount(); i++) {
        String r = renamed.get(node.getInput(i));
        if (r != null) {
          rewired.setInput(i, r);
        }
      }
      g.addNode(rewired);
      if (convs.contains(node)) {
        String z = node.getOutput(0);
        String base = unique(taken, (node.getName().isEmpty() ? z : node.getName())
            + ".attune_norm");
        String y = unique(taken, base + ".out");
        double[][] ms = stats.get(z);
        int c = ms[0].length;
        float[] gamma = new float[c];
        float[] beta = new float[c];
        float[] mean = new float[c];
        float[] var = new float[c];
        for (int k = 0; k < c; k++) {
          mean[k] = (float) ms[0][k];
          var[k] = (float) ms[1][k];
          gamma[k] = (float) Math.sqrt(ms[1][k] + EPSILON);
          beta[k] = mean[k];
        }
        long[] dims = {c};
        g.addInitializer(Tensors.floatTensor(base + ".weight", dims, gamma));
        g.addInitializer(Tensors.floatTensor(base + ".bias", dims, beta));
        g.addInitializer(Tensors.floatTensor(base + ".running_mean", dims, mean));
        g.addInitializer(Tensors.floatTensor(base + ".running_var", dims, var));
        g.addNode(Graph.node("BatchNormalization", base, List.of(z, base + ".weight",
            base + ".bias", base + ".running_mean", base + ".running_var"), List.of(y),
            Attrs.f("epsilon", EPSILON)));
        renamed.put(z, y);
      }
    }
    for (int i = 0; i < g.getOutputCount(); i++) {
      String r = renamed.get(g.getOutput(i).getName());
      if (r != null) {
        throw new InvalidModelException("convolution output '" + g.getOutput(i).getName()
            + "' is a model output; Attune cannot insert normalization there");
      }
    }
    return model.toBuilder().setGraph(g).build();
  }

  private static String unique(Set<String> taken, String name) {
    String candidate = name;
    for (int i = 1; !taken.add(candidate); i++) {
      candidate = name + "_" + i;
    }
    return candidate;
  }

  /** Per-channel sums in double, over all axes but 1. */
  private static final class ChannelMoments {
    private double[] sum;
    private double[] sumSq;
    private long count;

    void add(FloatBuffer values, long[] shape) {
      int channels = (int) shape[1];
      int inner = 1;
      for (int i = 2; i < shape.length; i++) {
        inner *= (int) shape[i];
      }
      if (sum == null) {
        sum = new double[channels];
        sumSq = new double[channels];
      }
      int n = (int) shape[0];
      for (int s = 0; s < n; s++) {
        for (int c = 0; c < channels; c++) {
          int base = (s * channels + c) * inner;
          for (int i = 0; i < inner; i++) {
            double v = values.get(base + i);
            sum[c] += v;
            sumSq[c] += v * v;
          }
        }
      }
      count += (long) n * inner;
    }

    double[][] meanAndVariance() {
      double[] mean = new double[sum.length];
      double[] var = new double[sum.length];
      for (int c = 0; c < sum.length; c++) {
        mean[c] = sum[c] / count;
        var[c] = Math.max(0, sumSq[c] / count - mean[c] * mean[c]);
      }
      return new double[][] {mean, var};
    }
  }
}
