package io.attune.edge.internal;

import io.attune.schemas.DType;
import io.attune.schemas.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/** FLOAT32 tensors of the schemas: little-endian IEEE-754 singles, row-major. */
public final class Float32 {

  private Float32() {}

  /** A FLOAT32 tensor of shape {@code [values.length]}. */
  public static Tensor tensor(float[] values) {
    ByteBuffer data = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
    data.asFloatBuffer().put(values);
    return Tensor.newBuilder().setDtype(DType.FLOAT32).setShape(List.of(values.length))
        .setData(data).build();
  }

  /** The elements of {@code data}, from its position to its limit, which it leaves as is. */
  public static float[] values(ByteBuffer data) {
    ByteBuffer le = data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    float[] out = new float[le.remaining() / 4];
    le.asFloatBuffer().get(out);
    return out;
  }
}
