package io.attune.adaptation.onnx.internal;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A read-only index over an ONNX graph: who produces and who consumes each tensor, and the
 * initializers (including Constant nodes' values) by name.
 */
public final class Graph {

  private final GraphProto proto;
  private final Map<String, NodeProto> producers = new HashMap<>();
  private final Map<String, List<NodeProto>> consumers = new HashMap<>();
  private final Map<String, TensorProto> constants = new LinkedHashMap<>();
  private final Set<String> names = new HashSet<>();

  public Graph(GraphProto proto) {
    this.proto = proto;
    for (TensorProto init : proto.getInitializerList()) {
      constants.put(init.getName(), init);
      names.add(init.getName());
    }
    proto.getInputList().forEach(v -> names.add(v.getName()));
    for (NodeProto node : proto.getNodeList()) {
      names.add(node.getName());
      for (String out : node.getOutputList()) {
        producers.put(out, node);
        names.add(out);
      }
      for (String in : node.getInputList()) {
        consumers.computeIfAbsent(in, k -> new ArrayList<>()).add(node);
      }
      if (node.getOpType().equals("Constant") && node.getDomain().isEmpty()) {
        Attrs.getTensor(node, "value").ifPresent(t ->
            constants.put(node.getOutput(0), t.toBuilder().setName(node.getOutput(0)).build()));
      }
      // PyTorch's exporter dedups equal initializers and recreates the copies with Identity.
      if (node.getOpType().equals("Identity") && constants.containsKey(node.getInput(0))) {
        constants.put(node.getOutput(0), constants.get(node.getInput(0)).toBuilder()
            .setName(node.getOutput(0)).build());
      }
    }
  }

  public GraphProto proto() {
    return proto;
  }

  public List<NodeProto> nodes() {
    return proto.getNodeList();
  }

  public Optional<NodeProto> producer(String tensor) {
    return Optional.ofNullable(producers.get(tensor));
  }

  public List<NodeProto> consumers(String tensor) {
    return consumers.getOrDefault(tensor, List.of());
  }

  /** An initializer or the value of a Constant node. */
  public Optional<TensorProto> constant(String tensor) {
    return Optional.ofNullable(constants.get(tensor));
  }

  public boolean isInitializer(String tensor) {
    return proto.getInitializerList().stream().anyMatch(t -> t.getName().equals(tensor));
  }

  /** Graph inputs that are fed at run time (initializers listed as inputs are defaults). */
  public List<ValueInfoProto> runtimeInputs() {
    return proto.getInputList().stream().filter(v -> !constants.containsKey(v.getName())).toList();
  }

  /** Every name in use (tensors and nodes), so that added ones can avoid them. */
  public Set<String> names() {
    return names;
  }

  /** Human-readable reference to a node for error messages. */
  /**
   * Drops nodes none of whose outputs reaches a graph output, and initializers no remaining
   * node reads: rules that emit a tensor and later find a cheaper form leave such nodes
   * behind, and ONNX Runtime warns about every unused initializer.
   */
  public static GraphProto.Builder pruneDead(GraphProto.Builder graph) {
    Set<String> needed = new HashSet<>();
    graph.getOutputList().forEach(v -> needed.add(v.getName()));
    List<NodeProto> kept = new ArrayList<>();
    List<NodeProto> nodes = graph.getNodeList();
    for (int i = nodes.size() - 1; i >= 0; i--) {
      NodeProto node = nodes.get(i);
      if (node.getOutputList().stream().anyMatch(needed::contains)) {
        kept.add(0, node);
        needed.addAll(node.getInputList());
      }
    }
    List<TensorProto> initializers = graph.getInitializerList().stream()
        .filter(t -> needed.contains(t.getName())).toList();
    return graph.clearNode().addAllNode(kept).clearInitializer()
        .addAllInitializer(initializers);
  }

  public static String describe(NodeProto node) {
    return node.getOpType() + " node '" + (node.getName().isEmpty() ? node.getOutput(0)
        : node.getName()) + "'";
  }

  public static NodeProto node(String op, String name, List<String> inputs, List<String> outputs,
      AttributeProto... attributes) {
    return NodeProto.newBuilder().setOpType(op).setName(name).addAllInput(inputs)
        .addAllOutput(outputs).addAllAttribute(List.of(attributes)).build();
  }

  /** A float tensor value info with the given dims; a negative dim is the symbolic batch. */
  public static ValueInfoProto floatValue(String name, long... dims) {
    return value(name, Tensors.FLOAT, dims);
  }

  public static ValueInfoProto value(String name, int elemType, long... dims) {
    TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
    for (long d : dims) {
      shape.addDim(d < 0
          ? TensorShapeProto.Dimension.newBuilder().setDimParam("batch")
          : TensorShapeProto.Dimension.newBuilder().setDimValue(d));
    }
    return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder()
        .setTensorType(TypeProto.Tensor.newBuilder().setElemType(elemType).setShape(shape)))
        .build();
  }
}
