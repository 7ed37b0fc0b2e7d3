package io.attune.adaptation.onnx.internal;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Appends nodes and constants to a graph under construction, naming everything it adds
 * {@code prefix/<n>} so that added names never collide with the model's own.
 */
public final class Emitter {

  private final String prefix;
  private final Set<String> taken;
  private final int opset;
  private final List<NodeProto> nodes = new ArrayList<>();
  private final List<TensorProto> constants = new ArrayList<>();
  private int counter;

  public Emitter(String prefix, Set<String> taken, int opset) {
    this.prefix = prefix;
    this.taken = taken;
    this.opset = opset;
  }

  public int opset() {
    return opset;
  }

  public List<NodeProto> nodes() {
    return nodes;
  }

  public List<TensorProto> constants() {
    return constants;
  }

  /** A fresh name under the prefix, with a readable hint. */
  public String fresh(String hint) {
    String name;
    do {
      name = prefix + "/" + hint + "_" + counter++;
    } while (!taken.add(name));
    return name;
  }

  /** Emits a single-output node and returns its output name. */
  public String op(String opType, List<String> inputs, AttributeProto... attrs) {
    String out = fresh(opType.toLowerCase());
    nodes.add(Graph.node(opType, out, inputs, List.of(out), attrs));
    return out;
  }

  public String op(String opType, String input, AttributeProto... attrs) {
    return op(opType, List.of(input), attrs);
  }

  public String op(String opType, String a, String b, AttributeProto... attrs) {
    return op(opType, List.of(a, b), attrs);
  }

  /** Emits a node whose outputs are named by the caller. */
  public void opTo(String opType, List<String> inputs, List<String> outputs,
      AttributeProto... attrs) {
    nodes.add(Graph.node(opType, fresh(opType.toLowerCase()), inputs, outputs, attrs));
  }

  public void add(NodeProto node) {
    nodes.add(node);
  }

  public String floats(long[] dims, float... values) {
    String name = fresh("const");
    constants.add(Tensors.floatTensor(name, dims, values));
    return name;
  }

  public String scalar(float value) {
    return floats(new long[0], value);
  }

  public String longs(long... values) {
    String name = fresh("const");
    constants.add(Tensors.longTensor(name, new long[] {values.length}, values));
    return name;
  }

  /** ReduceMean / ReduceSum over {@code axes}; axes moved from attribute to input in opset 18 (13 for ReduceSum). */
  public String reduce(String opType, String input, long[] axes, boolean keepDims) {
    int inputSince = opType.equals("ReduceSum") ? 13 : 18;
    if (opset >= inputSince) {
      return op(opType, List.of(input, longs(axes)), Attrs.i("keepdims", keepDims ? 1 : 0));
    }
    return op(opType, List.of(input), Attrs.ints("axes", axes), Attrs.i("keepdims",
        keepDims ? 1 : 0));
  }

  /** Reshape to dims where -1 marks the batch dim (at most one). */
  public String reshape(String input, long[] dims) {
    return op("Reshape", input, longs(dims));
  }
}
