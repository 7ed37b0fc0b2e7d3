package io.attune.adaptation.onnx.internal;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import io.attune.adaptation.onnx.OnnxModels;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Builds the two graphs of one adaptation step from a model with BatchNormalization layers.
 *
 * <p><b>Forward.</b> The model with every BatchNormalization replaced by normalization with
 * calibrated statistics, from primitive ops (BatchNormalization in training mode stopped
 * returning batch statistics in opset 14):
 * <pre>
 *   mu_b = mean(x) over all axes but 1,  var_b = mean((x - mu_b)^2)        (biased)
 *   mu = a*mu_s + (1-a)*mu_b,  var = a*var_s + (1-a)*var_b,  s = 1/sqrt(var + eps)
 *   xhat = (x - mu)*s,  y = gamma*xhat + beta
 * </pre>
 * with {@code a} the input {@value #ALPHA} (1 = source model, 0 = TENT's batch statistics),
 * and gamma, beta, mu_s, var_s inputs named like the source initializers (which stay as their
 * defaults). Outputs: {@value #LOGITS}, {@value #FEATURES}, each layer's batch mean and
 * variance, and the tensors the backward graph needs ("saved").
 *
 * <p><b>Backward.</b> Reverse-mode differentiation of that forward, generated node by node
 * ({@link GradientRules}), restricted to the tensors between a normalization layer and the
 * logits or features, so no weight gradient is ever computed. Inputs: {@value #D_LOGITS}
 * {@code [N, classes]}, {@value #D_FEATURES} {@code [N, D]}, {@value #ALPHA}, the saved
 * tensors and the gammas, all by the forward's names; outputs: {@code grad/<initializer>} for
 * every scale and bias. For BatchNormalization with the alpha mix, with
 * {@code g = dL/dxhat = gamma * dL/dy} and means over the reduced axes:
 * <pre>
 *   dL/dgamma = sum(dL/dy * xhat),  dL/dbeta = sum(dL/dy)
 *   dL/dx = s * (g - (1-a)*mean(g) - (1-a)*mean(g*xhat) * (x - mu_b)*s)
 * </pre>
 * which is the textbook batch-norm gradient at {@code a = 0} and {@code s*g} at {@code a = 1}.
 * Both graphs work from {@code c = x - mu_b} (saved) and per-channel factors, with
 * {@code xhat = (c + mu_b - mu)*s}, so each layer costs few full-size passes; where a pass is
 * a per-channel affine map of one tensor, it is an inference-mode BatchNormalization node
 * (mean 0, variance 1, epsilon 0 in the backward), which ONNX Runtime runs in one pass.
 */
public final class AdaptationGraphs {

  public static final String ALPHA = "attune/alpha";
  public static final String LOGITS = "attune/logits";
  public static final String FEATURES = "attune/features";
  public static final String D_LOGITS = "attune/dlogits";
  public static final String D_FEATURES = "attune/dfeatures";
  /** Opset of the generated backward graph: ScatterElements with reduction needs 16. */
  public static final int BACKWARD_OPSET = 17;

  /** What the forward computes for one normalization layer, by tensor name. */
  record NormInternals(NormLayer layer, int rank, String batchMean, String batchVar,
      String centered, String invStd, String shift, String gamma4) {}

  private final ModelAnalysis analysis;
  private final Emitter forward;
  private final Map<String, NormInternals> normsByOutput = new LinkedHashMap<>();
  private final Map<String, String> maxPoolIndices = new HashMap<>();

  private AdaptationGraphs(ModelAnalysis analysis) {
    this.analysis = analysis;
    this.forward = new Emitter("attune/fwd", new HashSet<>(analysis.graph().names()),
        analysis.opset());
  }

  /** The forward and backward graphs, as models ready for ONNX Runtime. */
  public record Pair(ModelProto forward, ModelProto backward, List<String> saved,
      Map<String, String> scaleGradients, Map<String, String> biasGradients) {}

  public static Pair build(ModelAnalysis analysis) {
    return new AdaptationGraphs(analysis).build();
  }

  private Pair build() {
    Set<String> relevant = relevantTensors();
    emitForward(relevant);
    GradientRules backward = new GradientRules(analysis, normsByOutput, maxPoolIndices);
    GradientRules.Result grads = backward.differentiate(relevant);
    ModelProto fwd = forwardModel(grads.saved());
    return new Pair(fwd, grads.model(), grads.saved(), grads.scaleGradients(),
        grads.biasGradients());
  }

  /**
   * Tensors through which a normalization parameter influences the logits or features: those
   * downstream of a normalization output and upstream of the logits.
   */
  private Set<String> relevantTensors() {
    Graph graph = analysis.graph();
    Set<String> downstream = new HashSet<>();
    Deque<String> queue = new ArrayDeque<>();
    analysis.norms().forEach(n -> queue.add(n.output()));
    while (!queue.isEmpty()) {
      String t = queue.poll();
      if (downstream.add(t)) {
        for (NodeProto consumer : graph.consumers(t)) {
          consumer.getOutputList().forEach(queue::add);
        }
      }
    }
    Set<String> upstream = new HashSet<>();
    queue.add(analysis.head().logits());
    while (!queue.isEmpty()) {
      String t = queue.poll();
      if (upstream.add(t)) {
        graph.producer(t).ifPresent(p -> p.getInputList().forEach(queue::add));
      }
    }
    downstream.retainAll(upstream);
    return downstream;
  }

  private void emitForward(Set<String> relevant) {
    for (NodeProto node : analysis.graph().nodes()) {
      if (node.getOpType().equals("BatchNormalization")) {
        NormLayer layer = analysis.norms().stream()
            .filter(n -> n.output().equals(node.getOutput(0))).findFirst().orElseThrow();
        normsByOutput.put(layer.output(), emitNorm(layer));
      } else if (node.getOpType().equals("MaxPool") && relevant.contains(node.getOutput(0))) {
        String indices = node.getOutputCount() > 1 && !node.getOutput(1).isEmpty()
            ? node.getOutput(1) : forward.fresh("maxpool_indices");
        maxPoolIndices.put(node.getOutput(0), indices);
        forward.add(node.toBuilder().clearOutput().addOutput(node.getOutput(0))
            .addOutput(indices).build());
      } else {
        forward.add(node);
      }
    }
  }

  private NormInternals emitNorm(NormLayer layer) {
    int rank = analysis.shapes().of(layer.input()).length;
    long[] axes = reducedAxes(rank);
    long[] channelShape = new long[rank];
    java.util.Arrays.fill(channelShape, 1);
    channelShape[1] = layer.channels();
    String x = layer.input();
    String batchMean = forward.reduce("ReduceMean", x, axes, true);
    String centered = forward.op("Sub", x, batchMean);
    String batchVar = forward.reduce("ReduceMean", forward.op("Mul", centered, centered), axes,
        true);
    String oneMinusAlpha = forward.op("Sub", forward.scalar(1f), ALPHA);
    String sourceMean = forward.reshape(layer.mean(), channelShape);
    String sourceVar = forward.reshape(layer.var(), channelShape);
    String mean = forward.op("Add", forward.op("Mul", ALPHA, sourceMean),
        forward.op("Mul", oneMinusAlpha, batchMean));
    String var = forward.op("Add", forward.op("Mul", ALPHA, sourceVar),
        forward.op("Mul", oneMinusAlpha, batchVar));
    String invStd = forward.op("Reciprocal",
        forward.op("Sqrt", forward.op("Add", var, forward.scalar(layer.epsilon()))));
    // The normalization itself is ONNX Runtime's BatchNormalization (inference form) fed the
    // mixed statistics: one full-size pass, where Mul and Add would be two.
    String shift = forward.op("Sub", batchMean, mean);
    String gamma4 = forward.reshape(layer.scale(), channelShape);
    long[] flat = {layer.channels()};
    forward.opTo("BatchNormalization", List.of(x, layer.scale(), layer.bias(),
        forward.reshape(mean, flat), forward.reshape(var, flat)), List.of(layer.output()),
        Attrs.f("epsilon", layer.epsilon()));
    return new NormInternals(layer, rank, batchMean, batchVar, centered, invStd, shift, gamma4);
  }

  static long[] reducedAxes(int rank) {
    long[] axes = new long[rank - 1];
    axes[0] = 0;
    for (int i = 2; i < rank; i++) {
      axes[i - 1] = i;
    }
    return axes;
  }

  /** Output name of a layer's batch statistic, as the runtime reads it. */
  public static String batchMeanOutput(int layerIndex) {
    return "attune/batch_mean/" + layerIndex;
  }

  public static String batchVarOutput(int layerIndex) {
    return "attune/batch_var/" + layerIndex;
  }

  private ModelProto forwardModel(List<String> saved) {
    GraphProto.Builder g = analysis.withParametersAsInputs(forward.nodes()).clearOutput();
    g.addAllInitializer(forward.constants());
    // Normalization parameters are plain inputs, fed on every call: ONNX Runtime's Java API
    // cannot override initializers even when they are listed as graph inputs.
    g.addInput(Graph.floatValue(ALPHA));
    Map<String, String> outputs = new LinkedHashMap<>();
    outputs.put(LOGITS, analysis.head().logits());
    outputs.put(FEATURES, analysis.head().features());
    Emitter tail = new Emitter("attune/out", new HashSet<>(analysis.graph().names()),
        analysis.opset());
    for (NormInternals n : normsByOutput.values()) {
      long[] c = {n.layer().channels()};
      outputs.put(batchMeanOutput(n.layer().index()), tail.reshape(n.batchMean(), c));
      outputs.put(batchVarOutput(n.layer().index()), tail.reshape(n.batchVar(), c));
    }
    g.addAllNode(tail.nodes());
    g.addAllInitializer(tail.constants());
    for (Map.Entry<String, String> out : outputs.entrySet()) {
      g.addNode(Graph.node("Identity", out.getKey(), List.of(out.getValue()),
          List.of(out.getKey())));
      g.addOutput(ValueInfoProto.newBuilder().setName(out.getKey()));
    }
    for (String s : saved) {
      if (!outputs.containsKey(s)) {
        g.addOutput(ValueInfoProto.newBuilder().setName(s));
      }
    }
    return analysis.model().toBuilder().setGraph(g).build();
  }

  static List<TensorProto> initializersFor(Graph graph, Set<String> names) {
    List<TensorProto> out = new ArrayList<>();
    for (String name : names) {
      graph.constant(name).ifPresent(out::add);
    }
    return out;
  }

  static ModelProto standalone(ModelProto template, GraphProto graph) {
    return ModelProto.newBuilder()
        .setIrVersion(Math.max(8, template.getIrVersion()))
        .setProducerName("attune")
        .addOpsetImport(OnnxModels.opset("", BACKWARD_OPSET))
        .setGraph(graph)
        .build();
  }
}
