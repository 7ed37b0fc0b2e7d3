package io.attune.schemas.signing;

import io.attune.schemas.Tensor;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The primitives of the canonical layout: big-endian integers (ByteBuffer's default order), length-prefixed UTF-8 strings and
 * byte strings, tensors. Fields are checked for null with the field's name, because a signature
 * over a half-built update is a bug worth naming.
 */
final class CanonicalWriter {

  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream(1024);
  private final String record;

  CanonicalWriter(String record) {
    this.record = record;
  }

  CanonicalWriter string(String field, String value) {
    return blob(required(field, value).getBytes(StandardCharsets.UTF_8));
  }

  CanonicalWriter int64(long value) {
    bytes.write(ByteBuffer.allocate(Long.BYTES).putLong(value).array(), 0, Long.BYTES);
    return this;
  }

  CanonicalWriter int32(int value) {
    bytes.write(ByteBuffer.allocate(Integer.BYTES).putInt(value).array(), 0, Integer.BYTES);
    return this;
  }

  CanonicalWriter float32(float value) {
    return int32(Float.floatToIntBits(value));
  }

  CanonicalWriter bytes(String field, ByteBuffer value) {
    final ByteBuffer view = required(field, value).duplicate();
    final byte[] copy = new byte[view.remaining()];
    view.get(copy);
    return blob(copy);
  }

  CanonicalWriter ints(String field, List<Integer> values) {
    int32(required(field, values).size());
    for (Integer value : values) {
      int32(required(field + " element", value));
    }
    return this;
  }

  CanonicalWriter tensor(String field, Tensor tensor) {
    required(field, tensor);
    string(field + ".dtype", required(field + ".dtype", tensor.getDtype()).name());
    ints(field + ".shape", tensor.getShape());
    return bytes(field + ".data", tensor.getData());
  }

  byte[] toByteArray() {
    return bytes.toByteArray();
  }

  private CanonicalWriter blob(byte[] value) {
    int32(value.length);
    bytes.write(value, 0, value.length);
    return this;
  }

  private <T> T required(String field, T value) {
    if (value == null) {
      throw new IllegalArgumentException(record + "." + field + " is null; every field but the "
          + "signature is signed");
    }
    return value;
  }
}
