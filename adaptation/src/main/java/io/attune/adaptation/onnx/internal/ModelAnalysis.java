package io.attune.adaptation.onnx.internal;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import io.attune.adaptation.model.InvalidModelException;
import io.attune.adaptation.onnx.OnnxModels;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * What Attune needs to know about a classifier: its input, its normalization layers, its
 * classifier head and penultimate features, and every tensor's shape.
 */
public record ModelAnalysis(ModelProto model, Graph graph, int opset, String input,
    List<NormLayer> norms, Head head, ShapeProbe.Shapes shapes) {

  /** Names of every normalization parameter (initializers or Constant node outputs). */
  public java.util.Set<String> parameterNames() {
    java.util.Set<String> names = new java.util.LinkedHashSet<>();
    for (NormLayer n : norms) {
      names.addAll(List.of(n.scale(), n.bias(), n.mean(), n.var()));
    }
    return names;
  }

  /**
   * The graph with every normalization parameter turned into a plain input: initializers,
   * Constant nodes and Identity copies holding them are removed, inputs declared in layer
   * order.
   */
  public ai.onnx.proto.OnnxMl.GraphProto.Builder withParametersAsInputs(
      java.util.List<ai.onnx.proto.OnnxMl.NodeProto> nodes) {
    java.util.Set<String> params = parameterNames();
    ai.onnx.proto.OnnxMl.GraphProto original = graph.proto();
    ai.onnx.proto.OnnxMl.GraphProto.Builder g = original.toBuilder().clearNode()
        .clearInitializer().clearInput();
    original.getInitializerList().stream().filter(t -> !params.contains(t.getName()))
        .forEach(g::addInitializer);
    original.getInputList().stream().filter(v -> !params.contains(v.getName()))
        .forEach(g::addInput);
    // Constant and Identity nodes that produce a parameter give way to the input.
    nodes.stream().filter(n -> !((n.getOpType().equals("Constant")
        || n.getOpType().equals("Identity")) && params.contains(n.getOutput(0))))
        .forEach(g::addNode);
    for (NormLayer n : norms) {
      for (String p : List.of(n.scale(), n.bias(), n.mean(), n.var())) {
        if (g.getInputList().stream().noneMatch(v -> v.getName().equals(p))) {
          g.addInput(Graph.floatValue(p, n.channels()));
        }
      }
    }
    return g;
  }

  /** The source values of every normalization parameter, by initializer name. */
  public java.util.Map<String, float[]> sourceParameters() {
    java.util.Map<String, float[]> params = new java.util.LinkedHashMap<>();
    for (NormLayer n : norms) {
      for (String p : List.of(n.scale(), n.bias(), n.mean(), n.var())) {
        params.put(p, Tensors.floats(graph.constant(p).orElseThrow()));
      }
    }
    return params;
  }

  /**
   * Normalization layers Attune does not adapt: LayerNormalization, GroupNormalization and
   * InstanceNormalization nodes, and layer norms written out by exporters before opset 17
   * ({@code x - ReduceMean(x)}, squared, averaged again: the Sub node is named). Empty for
   * models that normalize with BatchNormalization only.
   */
  public List<String> unsupportedNormalizations() {
    List<String> found = new ArrayList<>();
    for (NodeProto node : graph.nodes()) {
      String op = node.getOpType();
      if (op.equals("LayerNormalization") || op.equals("GroupNormalization")
          || op.equals("InstanceNormalization")) {
        found.add(Graph.describe(node));
      } else if (op.equals("Sub") && node.getInputCount() == 2
          && graph.producer(node.getInput(1)).filter(p -> p.getOpType().equals("ReduceMean")
              && p.getInput(0).equals(node.getInput(0))).isPresent()
          && graph.consumers(node.getOutput(0)).stream().anyMatch(c ->
              (c.getOpType().equals("Pow") || c.getOpType().equals("Mul"))
              && graph.consumers(c.getOutput(0)).stream()
                  .anyMatch(r -> r.getOpType().equals("ReduceMean")))) {
        found.add("a layer norm written out as ReduceMean/Sub/Pow/ReduceMean at "
            + Graph.describe(node));
      }
    }
    return found;
  }

  /** Ops a head may be followed by before the graph output, that do not change the class order. */
  private static final Set<String> PASS_THROUGH =
      Set.of("Identity", "Flatten", "Reshape", "Squeeze", "Dropout");

  public static ModelAnalysis of(ModelProto model, long[] sampleShape) {
    Graph graph = new Graph(model.getGraph());
    List<ValueInfoProto> inputs = graph.runtimeInputs();
    if (inputs.size() != 1) {
      throw new InvalidModelException("expected a classifier with one input, found "
          + inputs.stream().map(ValueInfoProto::getName).toList());
    }
    String input = inputs.get(0).getName();
    ShapeProbe.Shapes shapes = ShapeProbe.probe(model, input, sampleShape);
    return new ModelAnalysis(model, graph, OnnxModels.defaultOpset(model), input,
        findNorms(graph, shapes), findHead(graph, shapes), shapes);
  }

  private static List<NormLayer> findNorms(Graph graph, ShapeProbe.Shapes shapes) {
    List<NormLayer> norms = new ArrayList<>();
    for (NodeProto node : graph.nodes()) {
      if (!node.getOpType().equals("BatchNormalization")) {
        continue;
      }
      if (Attrs.getInt(node, "training_mode", 0) != 0
          || node.getOutputList().stream().skip(1).anyMatch(o -> !o.isEmpty()
              && !graph.consumers(o).isEmpty())) {
        throw new InvalidModelException(Graph.describe(node) + " is in training mode; export "
            + "the model in inference mode (model.eval())");
      }
      for (int i = 1; i <= 4; i++) {
        String param = node.getInput(i);
        if (graph.constant(param).isEmpty()) {
          throw new InvalidModelException(Graph.describe(node) + ": parameter '" + param
              + "' is computed, not a constant; Attune adapts constant normalization parameters");
        }
      }
      long[] x = shapes.of(node.getInput(0));
      norms.add(new NormLayer(norms.size(), node.getName().isEmpty() ? node.getOutput(0)
          : node.getName(), node.getInput(0), node.getOutput(0), node.getInput(1),
          node.getInput(2), node.getInput(3), node.getInput(4),
          Attrs.getFloat(node, "epsilon", 1e-5f), Math.toIntExact(x[1])));
    }
    return norms;
  }

  private static Head findHead(Graph graph, ShapeProbe.Shapes shapes) {
    String tensor = graph.proto().getOutput(0).getName();
    NodeProto node = graph.producer(tensor).orElseThrow(() ->
        new InvalidModelException("the model output is not computed by any node"));
    while (PASS_THROUGH.contains(node.getOpType())
        || node.getOpType().equals("Softmax") || node.getOpType().equals("LogSoftmax")) {
      tensor = node.getInput(0);
      NodeProto previous = graph.producer(tensor).orElse(null);
      if (previous == null) {
        break;
      }
      node = previous;
    }
    return switch (node.getOpType()) {
      case "Gemm" -> gemmHead(graph, node, shapes);
      case "MatMul" -> matMulHead(graph, node, null, shapes);
      case "Add" -> addHead(graph, node, shapes);
      default -> throw new InvalidModelException("cannot find the classifier head: the logits "
          + "come from " + Graph.describe(node) + ", expected Gemm or MatMul (+Add)");
    };
  }

  private static Head gemmHead(Graph graph, NodeProto gemm, ShapeProbe.Shapes shapes) {
    if (Attrs.getInt(gemm, "transA", 0) != 0) {
      throw new InvalidModelException(Graph.describe(gemm) + " transposes its features (transA)");
    }
    TensorProto b = constant(graph, gemm, 1);
    long[] dims = Tensors.dims(b);
    boolean transB = Attrs.getInt(gemm, "transB", 0) != 0;
    int classes = Math.toIntExact(transB ? dims[0] : dims[1]);
    int dim = Math.toIntExact(transB ? dims[1] : dims[0]);
    float[] w = scaled(Tensors.floats(b), Attrs.getFloat(gemm, "alpha", 1f));
    float[] weights = transB ? w : transpose(w, dim, classes);
    float[] bias = new float[classes];
    if (gemm.getInputCount() > 2 && !gemm.getInput(2).isEmpty()) {
      float[] c = scaled(Tensors.floats(constant(graph, gemm, 2)),
          Attrs.getFloat(gemm, "beta", 1f));
      for (int i = 0; i < classes; i++) {
        bias[i] = c.length == 1 ? c[0] : c[i];
      }
    }
    return head(gemm.getOutput(0), gemm.getInput(0), weights, bias, classes, dim, shapes);
  }

  private static Head addHead(Graph graph, NodeProto add, ShapeProbe.Shapes shapes) {
    for (int side = 0; side < 2; side++) {
      NodeProto matMul = graph.producer(add.getInput(side)).orElse(null);
      if (matMul != null && matMul.getOpType().equals("MatMul")
          && graph.constant(add.getInput(1 - side)).isPresent()) {
        Head h = matMulHead(graph, matMul, constant(graph, add, 1 - side), shapes);
        return new Head(add.getOutput(0), h.features(), h.weights(), h.bias(), h.classes(),
            h.dim());
      }
    }
    throw new InvalidModelException("cannot find the classifier head: the logits come from "
        + Graph.describe(add) + ", which does not add a constant bias to a MatMul");
  }

  private static Head matMulHead(Graph graph, NodeProto matMul, TensorProto biasTensor,
      ShapeProbe.Shapes shapes) {
    TensorProto b = constant(graph, matMul, 1);
    long[] dims = Tensors.dims(b);
    if (dims.length != 2) {
      throw new InvalidModelException(Graph.describe(matMul) + ": head weights of rank "
          + dims.length + ", expected 2");
    }
    int dim = Math.toIntExact(dims[0]);
    int classes = Math.toIntExact(dims[1]);
    float[] bias = new float[classes];
    if (biasTensor != null) {
      float[] c = Tensors.floats(biasTensor);
      for (int i = 0; i < classes; i++) {
        bias[i] = c.length == 1 ? c[0] : c[i];
      }
    }
    return head(matMul.getOutput(0), matMul.getInput(0),
        transpose(Tensors.floats(b), dim, classes), bias, classes, dim, shapes);
  }

  private static Head head(String logits, String features, float[] weights, float[] bias,
      int classes, int dim, ShapeProbe.Shapes shapes) {
    long[] f = shapes.of(features);
    if (f.length != 2) {
      throw new InvalidModelException("the classifier head's input '" + features + "' has rank "
          + f.length + "; Attune needs [N, D] penultimate features");
    }
    return new Head(logits, features, weights, bias, classes, dim);
  }

  private static TensorProto constant(Graph graph, NodeProto node, int input) {
    return graph.constant(node.getInput(input)).orElseThrow(() -> new InvalidModelException(
        Graph.describe(node) + ": input '" + node.getInput(input) + "' is not a constant"));
  }

  private static float[] transpose(float[] m, int rows, int cols) {
    float[] t = new float[m.length];
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        t[c * rows + r] = m[r * cols + c];
      }
    }
    return t;
  }

  private static float[] scaled(float[] values, float factor) {
    float[] out = values.clone();
    for (int i = 0; i < out.length; i++) {
      out[i] *= factor;
    }
    return out;
  }
}
