package io.attune.adaptation.onnx.internal;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.AttributeProto.AttributeType;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import java.util.Arrays;
import java.util.Optional;

/** Reading and making ONNX node attributes. */
public final class Attrs {

  private Attrs() {}

  public static Optional<AttributeProto> find(NodeProto node, String name) {
    return node.getAttributeList().stream().filter(a -> a.getName().equals(name)).findFirst();
  }

  public static long getInt(NodeProto node, String name, long fallback) {
    return find(node, name).map(AttributeProto::getI).orElse(fallback);
  }

  public static float getFloat(NodeProto node, String name, float fallback) {
    return find(node, name).map(AttributeProto::getF).orElse(fallback);
  }

  public static String getString(NodeProto node, String name, String fallback) {
    return find(node, name).map(a -> a.getS().toStringUtf8()).orElse(fallback);
  }

  /** The ints attribute, or {@code null} when absent. */
  public static long[] getInts(NodeProto node, String name) {
    return find(node, name).map(a -> a.getIntsList().stream().mapToLong(Long::longValue).toArray())
        .orElse(null);
  }

  public static Optional<TensorProto> getTensor(NodeProto node, String name) {
    return find(node, name).filter(AttributeProto::hasT).map(AttributeProto::getT);
  }

  public static AttributeProto i(String name, long value) {
    return AttributeProto.newBuilder().setName(name).setType(AttributeType.INT).setI(value).build();
  }

  public static AttributeProto f(String name, float value) {
    return AttributeProto.newBuilder().setName(name).setType(AttributeType.FLOAT).setF(value)
        .build();
  }

  public static AttributeProto s(String name, String value) {
    return AttributeProto.newBuilder().setName(name).setType(AttributeType.STRING)
        .setS(com.google.protobuf.ByteString.copyFromUtf8(value)).build();
  }

  public static AttributeProto ints(String name, long... values) {
    return AttributeProto.newBuilder().setName(name).setType(AttributeType.INTS)
        .addAllInts(Arrays.stream(values).boxed().toList()).build();
  }

  public static AttributeProto tensor(String name, TensorProto value) {
    return AttributeProto.newBuilder().setName(name).setType(AttributeType.TENSOR).setT(value)
        .build();
  }
}
