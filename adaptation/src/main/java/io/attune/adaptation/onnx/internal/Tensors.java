package io.attune.adaptation.onnx.internal;

import ai.onnx.proto.OnnxMl.TensorProto;
import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/** Converting ONNX TensorProtos to and from Java arrays (raw data is little-endian). */
public final class Tensors {

  public static final int FLOAT = TensorProto.DataType.FLOAT_VALUE;
  public static final int INT64 = TensorProto.DataType.INT64_VALUE;

  private Tensors() {}

  public static long[] dims(TensorProto t) {
    return t.getDimsList().stream().mapToLong(Long::longValue).toArray();
  }

  public static long count(TensorProto t) {
    return Arrays.stream(dims(t)).reduce(1, Math::multiplyExact);
  }

  /** The values of a float32 tensor. */
  public static float[] floats(TensorProto t) {
    if (t.getDataType() != FLOAT) {
      throw new IllegalArgumentException("tensor '" + t.getName() + "' is "
          + TensorProto.DataType.forNumber(t.getDataType()) + ", expected FLOAT");
    }
    int n = Math.toIntExact(count(t));
    float[] out = new float[n];
    if (!t.getRawData().isEmpty()) {
      t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
    } else {
      for (int i = 0; i < n; i++) {
        out[i] = t.getFloatData(i);
      }
    }
    return out;
  }

  /** The values of an int64 (or int32) tensor, e.g. a shape or axes constant. */
  public static long[] longs(TensorProto t) {
    int n = Math.toIntExact(count(t));
    long[] out = new long[n];
    boolean raw = !t.getRawData().isEmpty();
    if (t.getDataType() == INT64) {
      if (raw) {
        t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asLongBuffer().get(out);
      } else {
        for (int i = 0; i < n; i++) {
          out[i] = t.getInt64Data(i);
        }
      }
    } else if (t.getDataType() == TensorProto.DataType.INT32_VALUE) {
      for (int i = 0; i < n; i++) {
        out[i] = raw
            ? t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).getInt(4 * i)
            : t.getInt32Data(i);
      }
    } else {
      throw new IllegalArgumentException("tensor '" + t.getName() + "' is "
          + TensorProto.DataType.forNumber(t.getDataType()) + ", expected an integer type");
    }
    return out;
  }

  public static TensorProto floatTensor(String name, long[] dims, float[] values) {
    ByteBuffer bytes = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
    bytes.asFloatBuffer().put(values);
    return TensorProto.newBuilder().setName(name).setDataType(FLOAT)
        .addAllDims(Arrays.stream(dims).boxed().toList())
        .setRawData(ByteString.copyFrom(bytes.array())).build();
  }

  public static TensorProto longTensor(String name, long[] dims, long[] values) {
    ByteBuffer bytes = ByteBuffer.allocate(8 * values.length).order(ByteOrder.LITTLE_ENDIAN);
    bytes.asLongBuffer().put(values);
    return TensorProto.newBuilder().setName(name).setDataType(INT64)
        .addAllDims(Arrays.stream(dims).boxed().toList())
        .setRawData(ByteString.copyFrom(bytes.array())).build();
  }
}
