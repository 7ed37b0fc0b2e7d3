package io.attune.adaptation.onnx.internal;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import io.attune.adaptation.model.InvalidModelException;
import java.nio.FloatBuffer;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Shape inference by execution: runs the model in ONNX Runtime with every intermediate tensor
 * exposed, at batch 1 and at batch 2, and records each tensor's shape and which of its dims
 * follow the batch. Exact for every op ONNX Runtime runs, with no per-op shape rules to keep
 * in step with the ONNX spec.
 */
public final class ShapeProbe {

  /**
   * Shapes of the tensors of one model.
   *
   * @param shapes dims per tensor at batch 1, with -1 where a dim follows the batch size
   * @param floats names of the float32 tensors
   * @param fixedBatch the batch size baked into the model, or 0 when it is dynamic
   */
  public record Shapes(Map<String, long[]> shapes, Set<String> floats, int fixedBatch,
      Map<String, long[]> indexValues) {

    /**
     * The values of a small integer tensor that the model computes (Shape, Gather, Div, ...:
     * slice bounds, pads, axes), when they are the same at both probed batch sizes; empty when
     * they follow the batch size or the tensor is not a small integer one.
     */
    public java.util.Optional<long[]> indexValues(String tensor) {
      long[] v = indexValues.get(tensor);
      return v == null ? java.util.Optional.empty() : java.util.Optional.of(v.clone());
    }

    public long[] of(String tensor) {
      long[] dims = shapes.get(tensor);
      if (dims == null) {
        throw new IllegalStateException("no shape probed for tensor '" + tensor + "'");
      }
      return dims.clone();
    }

    /** The dims at a concrete batch size. */
    public long[] at(String tensor, long batch) {
      long[] dims = of(tensor);
      for (int i = 0; i < dims.length; i++) {
        if (dims[i] < 0) {
          dims[i] = batch;
        }
      }
      return dims;
    }
  }

  /** Integer tensors up to this size have their values kept (shape arithmetic). */
  private static final int MAX_INDEX_VALUES = 64;

  private ShapeProbe() {}

  public static Shapes probe(ModelProto model, String inputName, long[] sampleShape) {
    byte[] probeModel = withEveryTensorAsOutput(model).toByteArray();
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      options.setIntraOpNumThreads(1);
      options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.NO_OPT);
      try (OrtSession session = env.createSession(probeModel, options)) {
        long[] declared = ((TensorInfo) session.getInputInfo().get(inputName).getInfo()).getShape();
        int fixedBatch = declared.length > 0 && declared[0] > 0 ? Math.toIntExact(declared[0]) : 0;
        Map<String, long[]> first = new HashMap<>();
        Set<String> floats = new HashSet<>();
        Map<String, long[]> values = new HashMap<>();
        run(env, session, inputName, sampleShape, fixedBatch > 0 ? fixedBatch : 1, first, floats,
            values);
        if (fixedBatch > 0) {
          return new Shapes(first, floats, fixedBatch, values);
        }
        Map<String, long[]> second = new HashMap<>();
        Map<String, long[]> secondValues = new HashMap<>();
        run(env, session, inputName, sampleShape, 2, second, new HashSet<>(), secondValues);
        values.entrySet().removeIf(e -> !java.util.Arrays.equals(e.getValue(),
            secondValues.get(e.getKey())));
        return new Shapes(markBatchDims(first, second), floats, 0, values);
      }
    } catch (OrtException e) {
      throw new InvalidModelException("ONNX Runtime cannot run the model to infer its shapes: "
          + e.getMessage(), e);
    }
  }

  private static ModelProto withEveryTensorAsOutput(ModelProto model) {
    GraphProto graph = model.getGraph();
    Set<String> outputs = new HashSet<>();
    graph.getOutputList().forEach(o -> outputs.add(o.getName()));
    GraphProto.Builder probe = graph.toBuilder();
    for (NodeProto node : graph.getNodeList()) {
      for (String out : node.getOutputList()) {
        if (!out.isEmpty() && outputs.add(out)) {
          probe.addOutput(ValueInfoProto.newBuilder().setName(out));
        }
      }
    }
    return model.toBuilder().setGraph(probe).build();
  }

  private static void run(OrtEnvironment env, OrtSession session, String inputName,
      long[] sampleShape, int batch, Map<String, long[]> shapes, Set<String> floats,
      Map<String, long[]> values) throws OrtException {
    long[] shape = new long[sampleShape.length + 1];
    shape[0] = batch;
    System.arraycopy(sampleShape, 0, shape, 1, sampleShape.length);
    int count = 1;
    for (long d : shape) {
      count = Math.multiplyExact(count, Math.toIntExact(d));
    }
    float[] input = new float[count];
    Random random = new Random(0);
    for (int i = 0; i < count; i++) {
      input[i] = (float) random.nextGaussian();
    }
    shapes.put(inputName, shape.clone());
    floats.add(inputName);
    try (OnnxTensor tensor = OnnxTensor.createTensor(env, FloatBuffer.wrap(input), shape);
        OrtSession.Result result = session.run(Map.of(inputName, tensor))) {
      for (Map.Entry<String, OnnxValue> entry : result) {
        if (entry.getValue() instanceof OnnxTensor t) {
          shapes.put(entry.getKey(), t.getInfo().getShape());
          if (t.getInfo().type == OnnxJavaType.FLOAT) {
            floats.add(entry.getKey());
          } else if (t.getInfo().type == OnnxJavaType.INT64
              && t.getInfo().getNumElements() <= MAX_INDEX_VALUES) {
            java.nio.LongBuffer b = t.getLongBuffer();
            long[] v = new long[b.remaining()];
            b.get(v);
            values.put(entry.getKey(), v);
          } else if (t.getInfo().type == OnnxJavaType.INT32
              && t.getInfo().getNumElements() <= MAX_INDEX_VALUES) {
            java.nio.IntBuffer b = t.getIntBuffer();
            long[] v = new long[b.remaining()];
            for (int i = 0; i < v.length; i++) {
              v[i] = b.get(i);
            }
            values.put(entry.getKey(), v);
          }
        }
      }
    }
  }

  private static Map<String, long[]> markBatchDims(Map<String, long[]> one, Map<String, long[]> two) {
    Map<String, long[]> out = new HashMap<>();
    for (Map.Entry<String, long[]> e : one.entrySet()) {
      long[] a = e.getValue().clone();
      long[] b = two.get(e.getKey());
      if (b != null && b.length == a.length) {
        for (int i = 0; i < a.length; i++) {
          if (a[i] != b[i]) {
            a[i] = -1;
          }
        }
      }
      out.put(e.getKey(), a);
    }
    return out;
  }
}
