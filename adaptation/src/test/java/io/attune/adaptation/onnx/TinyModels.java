package io.attune.adaptation.onnx;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import io.attune.adaptation.onnx.internal.Attrs;
import io.attune.adaptation.onnx.internal.Graph;
import io.attune.adaptation.onnx.internal.Tensors;
import java.util.List;
import java.util.Random;

/** Small ONNX classifiers built in Java, with seeded random weights, for graph tests. */
public final class TinyModels {

  private TinyModels() {}

  /**
   * conv(1->4, 3x3, pad 1) - BN - Relu - MaxPool(3, stride 2, pad 1) - conv(4->6, 3x3, stride 2)
   * - BN - Clip(0, 6) - residual-free GAP - Flatten - Gemm(6->3), on 1 x 8 x 8 inputs.
   */
  public static ModelProto convBnNet(int opset) {
    Random random = new Random(42);
    GraphProto.Builder g = GraphProto.newBuilder().setName("tiny");
    g.addInput(Graph.floatValue("input", -1, 1, 8, 8));
    g.addOutput(Graph.floatValue("logits", -1, 3));
    g.addInitializer(random("w1", random, 4, 1, 3, 3));
    g.addInitializer(random("b1", random, 4));
    bnParams(g, "bn1", 4, random);
    g.addInitializer(random("w2", random, 6, 4, 3, 3));
    bnParams(g, "bn2", 6, random);
    g.addInitializer(random("fc.weight", random, 3, 6));
    g.addInitializer(random("fc.bias", random, 3));
    g.addNode(Graph.node("Conv", "conv1", List.of("input", "w1", "b1"), List.of("c1"),
        Attrs.ints("pads", 1, 1, 1, 1)));
    g.addNode(Graph.node("BatchNormalization", "bn1", List.of("c1", "bn1.weight", "bn1.bias",
        "bn1.running_mean", "bn1.running_var"), List.of("n1"), Attrs.f("epsilon", 1e-5f)));
    g.addNode(Graph.node("Relu", "relu1", List.of("n1"), List.of("r1")));
    g.addNode(Graph.node("MaxPool", "pool", List.of("r1"), List.of("p1"),
        Attrs.ints("kernel_shape", 3, 3), Attrs.ints("strides", 2, 2),
        Attrs.ints("pads", 1, 1, 1, 1)));
    g.addNode(Graph.node("Conv", "conv2", List.of("p1", "w2"), List.of("c2"),
        Attrs.ints("strides", 2, 2)));
    g.addNode(Graph.node("BatchNormalization", "bn2", List.of("c2", "bn2.weight", "bn2.bias",
        "bn2.running_mean", "bn2.running_var"), List.of("n2"), Attrs.f("epsilon", 1e-5f)));
    g.addInitializer(Tensors.floatTensor("zero", new long[0], new float[] {0f}));
    g.addInitializer(Tensors.floatTensor("six", new long[0], new float[] {6f}));
    g.addNode(Graph.node("Clip", "relu6", List.of("n2", "zero", "six"), List.of("r2")));
    g.addNode(Graph.node("GlobalAveragePool", "gap", List.of("r2"), List.of("gp")));
    g.addNode(Graph.node("Flatten", "flatten", List.of("gp"), List.of("features")));
    g.addNode(Graph.node("Gemm", "fc", List.of("features", "fc.weight", "fc.bias"),
        List.of("logits"), Attrs.i("transB", 1)));
    return ModelProto.newBuilder().setIrVersion(8).addOpsetImport(OnnxModels.opset("", opset))
        .setProducerName("attune-test").setGraph(g).build();
  }

  /**
   * Average pools both ways: conv(1->4, 3x3, pad 1) - BN - Relu - AveragePool(3, stride 2,
   * pad 1, padding not counted; overlapping windows) - conv(4->6, 3x3, pad 1) - BN - Relu -
   * AveragePool(2; windows tiling the input) - GAP - Flatten - Gemm(6->3), on 1 x 8 x 8 inputs.
   */
  public static ModelProto averagePoolsNet(int opset) {
    Random random = new Random(7);
    GraphProto.Builder g = GraphProto.newBuilder().setName("pools");
    g.addInput(Graph.floatValue("input", -1, 1, 8, 8));
    g.addOutput(Graph.floatValue("logits", -1, 3));
    g.addInitializer(random("w1", random, 4, 1, 3, 3));
    bnParams(g, "bn1", 4, random);
    g.addInitializer(random("w2", random, 6, 4, 3, 3));
    bnParams(g, "bn2", 6, random);
    g.addInitializer(random("fc.weight", random, 3, 6));
    g.addInitializer(random("fc.bias", random, 3));
    g.addNode(Graph.node("Conv", "conv1", List.of("input", "w1"), List.of("c1"),
        Attrs.ints("pads", 1, 1, 1, 1)));
    g.addNode(Graph.node("BatchNormalization", "bn1", List.of("c1", "bn1.weight", "bn1.bias",
        "bn1.running_mean", "bn1.running_var"), List.of("n1"), Attrs.f("epsilon", 1e-5f)));
    g.addNode(Graph.node("Relu", "relu1", List.of("n1"), List.of("r1")));
    g.addNode(Graph.node("AveragePool", "overlapping", List.of("r1"), List.of("p1"),
        Attrs.ints("kernel_shape", 3, 3), Attrs.ints("strides", 2, 2),
        Attrs.ints("pads", 1, 1, 1, 1)));
    g.addNode(Graph.node("Conv", "conv2", List.of("p1", "w2"), List.of("c2"),
        Attrs.ints("pads", 1, 1, 1, 1)));
    g.addNode(Graph.node("BatchNormalization", "bn2", List.of("c2", "bn2.weight", "bn2.bias",
        "bn2.running_mean", "bn2.running_var"), List.of("n2"), Attrs.f("epsilon", 1e-5f)));
    g.addNode(Graph.node("Relu", "relu2", List.of("n2"), List.of("r2")));
    g.addNode(Graph.node("AveragePool", "tiling", List.of("r2"), List.of("p2"),
        Attrs.ints("kernel_shape", 2, 2), Attrs.ints("strides", 2, 2)));
    g.addNode(Graph.node("GlobalAveragePool", "gap", List.of("p2"), List.of("gp")));
    g.addNode(Graph.node("Flatten", "flatten", List.of("gp"), List.of("features")));
    g.addNode(Graph.node("Gemm", "fc", List.of("features", "fc.weight", "fc.bias"),
        List.of("logits"), Attrs.i("transB", 1)));
    return ModelProto.newBuilder().setIrVersion(8).addOpsetImport(OnnxModels.opset("", opset))
        .setProducerName("attune-test").setGraph(g).build();
  }

  /**
   * Split, Slice and a MatMul + Add head: conv(1->8, 3x3, pad 1) - BN - Split(channels 3/3/2;
   * the last part unused) - Relu on part 0, Slice of rows 1.. on part 1 - GAP each - Concat -
   * MatMul + Add (3 classes), on 1 x 8 x 8 inputs. From opset 13 the slice's start is
   * computed from the tensor's shape (Shape - Gather - Sub), as PyTorch exports chunk().
   */
  public static ModelProto splitSliceNet(int opset) {
    Random random = new Random(43);
    GraphProto.Builder g = GraphProto.newBuilder().setName("tiny-split");
    g.addInput(Graph.floatValue("input", -1, 1, 8, 8));
    g.addOutput(Graph.floatValue("logits", -1, 3));
    g.addInitializer(random("w1", random, 8, 1, 3, 3));
    bnParams(g, "bn1", 8, random);
    g.addInitializer(random("fc.weight", random, 6, 3));
    g.addInitializer(random("fc.bias", random, 3));
    g.addNode(Graph.node("Conv", "conv1", List.of("input", "w1"), List.of("c1"),
        Attrs.ints("pads", 1, 1, 1, 1)));
    g.addNode(Graph.node("BatchNormalization", "bn1", List.of("c1", "bn1.weight", "bn1.bias",
        "bn1.running_mean", "bn1.running_var"), List.of("n1"), Attrs.f("epsilon", 1e-5f)));
    long[] parts = {3, 3, 2};
    if (opset >= 13) {
      g.addInitializer(Tensors.longTensor("split", new long[] {3}, parts));
      g.addNode(Graph.node("Split", "split", List.of("n1", "split"), List.of("s0", "s1", "s2"),
          Attrs.i("axis", 1)));
    } else {
      g.addNode(Graph.node("Split", "split", List.of("n1"), List.of("s0", "s1", "s2"),
          Attrs.i("axis", 1), Attrs.ints("split", parts)));
    }
    g.addNode(Graph.node("Relu", "relu", List.of("s0"), List.of("r0")));
    if (opset >= 13) {
      g.addInitializer(Tensors.longTensor("rows_axis", new long[] {1}, new long[] {2}));
      g.addInitializer(Tensors.longTensor("seven", new long[] {1}, new long[] {7}));
      g.addNode(Graph.node("Shape", "shape", List.of("s1"), List.of("s1_shape")));
      g.addNode(Graph.node("Gather", "rows", List.of("s1_shape", "rows_axis"), List.of("rows"),
          Attrs.i("axis", 0)));
      g.addNode(Graph.node("Sub", "start", List.of("rows", "seven"), List.of("starts")));
    } else {
      g.addInitializer(Tensors.longTensor("starts", new long[] {1}, new long[] {1}));
    }
    g.addInitializer(Tensors.longTensor("ends", new long[] {1}, new long[] {Long.MAX_VALUE}));
    g.addInitializer(Tensors.longTensor("axes", new long[] {1}, new long[] {2}));
    g.addNode(Graph.node("Slice", "slice", List.of("s1", "starts", "ends", "axes"),
        List.of("t1")));
    g.addNode(Graph.node("GlobalAveragePool", "gap0", List.of("r0"), List.of("g0")));
    g.addNode(Graph.node("GlobalAveragePool", "gap1", List.of("t1"), List.of("g1")));
    g.addNode(Graph.node("Concat", "concat", List.of("g0", "g1"), List.of("cat"),
        Attrs.i("axis", 1)));
    g.addNode(Graph.node("Flatten", "flatten", List.of("cat"), List.of("features")));
    g.addNode(Graph.node("MatMul", "fc", List.of("features", "fc.weight"), List.of("mm")));
    g.addNode(Graph.node("Add", "fc_bias", List.of("mm", "fc.bias"), List.of("logits")));
    return ModelProto.newBuilder().setIrVersion(8).addOpsetImport(OnnxModels.opset("", opset))
        .setProducerName("attune-test").setGraph(g).build();
  }

  private static void bnParams(GraphProto.Builder g, String name, int c, Random random) {
    float[] gamma = new float[c];
    float[] beta = new float[c];
    float[] mean = new float[c];
    float[] var = new float[c];
    for (int i = 0; i < c; i++) {
      gamma[i] = 0.5f + random.nextFloat();
      beta[i] = 0.4f * random.nextFloat() - 0.2f;
      mean[i] = 0.3f * (float) random.nextGaussian();
      var[i] = 0.5f + random.nextFloat();
    }
    long[] dims = {c};
    g.addInitializer(Tensors.floatTensor(name + ".weight", dims, gamma));
    g.addInitializer(Tensors.floatTensor(name + ".bias", dims, beta));
    g.addInitializer(Tensors.floatTensor(name + ".running_mean", dims, mean));
    g.addInitializer(Tensors.floatTensor(name + ".running_var", dims, var));
  }

  private static ai.onnx.proto.OnnxMl.TensorProto random(String name, Random random,
      long... dims) {
    int n = 1;
    for (long d : dims) {
      n *= (int) d;
    }
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) (random.nextGaussian() * 0.5);
    }
    return Tensors.floatTensor(name, dims, v);
  }
}
