package io.attune.adaptation.onnx.internal;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import io.attune.adaptation.model.InvalidModelException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The sliding-window geometry of a Conv or pooling node over its spatial dims, with padding
 * made explicit (auto_pad resolved from the probed shapes). The gradient of such a node with
 * respect to its input is a ConvTranspose with the same geometry, whose output_padding
 * restores the exact input size that strided windows may have lost.
 */
record Window(long[] kernel, long[] strides, long[] dilations, long[] padsBegin, long[] padsEnd,
    long[] in, long[] out) {

  static Window of(NodeProto node, long[] kernel, long[] inShape, long[] outShape) {
    int n = kernel.length;
    long[] in = Arrays.copyOfRange(inShape, 2, inShape.length);
    long[] out = Arrays.copyOfRange(outShape, 2, outShape.length);
    long[] strides = orOnes(Attrs.getInts(node, "strides"), n);
    long[] dilations = orOnes(Attrs.getInts(node, "dilations"), n);
    long[] begin = new long[n];
    long[] end = new long[n];
    String autoPad = Attrs.getString(node, "auto_pad", "NOTSET");
    long[] pads = Attrs.getInts(node, "pads");
    for (int i = 0; i < n; i++) {
      if (autoPad.equals("NOTSET")) {
        begin[i] = pads == null ? 0 : pads[i];
        end[i] = pads == null ? 0 : pads[i + n];
      } else if (autoPad.startsWith("SAME")) {
        long total = Math.max(0, (out[i] - 1) * strides[i] + (kernel[i] - 1) * dilations[i] + 1
            - in[i]);
        begin[i] = autoPad.equals("SAME_UPPER") ? total / 2 : total - total / 2;
        end[i] = total - begin[i];
      } else if (!autoPad.equals("VALID")) {
        throw new InvalidModelException(Graph.describe(node) + ": unknown auto_pad " + autoPad);
      }
    }
    return new Window(kernel, strides, dilations, begin, end, in, out);
  }

  /**
   * Whether the windows tile the input exactly: each input element in exactly one window
   * (kernel = stride, no padding or dilation, and the output times the stride is the input).
   */
  boolean tiles() {
    for (int i = 0; i < kernel.length; i++) {
      if (kernel[i] != strides[i] || dilations[i] != 1 || padsBegin[i] != 0 || padsEnd[i] != 0
          || in[i] < 0 || out[i] * strides[i] != in[i]) {
        return false;
      }
    }
    return true;
  }

  private static long[] orOnes(long[] values, int n) {
    if (values != null) {
      return values;
    }
    long[] ones = new long[n];
    Arrays.fill(ones, 1);
    return ones;
  }

  /** Attributes of the ConvTranspose that maps output-sized gradients back onto the input. */
  AttributeProto[] transposeAttrs(AttributeProto... extra) {
    int n = kernel.length;
    long[] outputPadding = new long[n];
    long[] pads = new long[2 * n];
    for (int i = 0; i < n; i++) {
      long produced = (out[i] - 1) * strides[i] - padsBegin[i] - padsEnd[i]
          + dilations[i] * (kernel[i] - 1) + 1;
      outputPadding[i] = in[i] - produced;
      pads[i] = padsBegin[i];
      pads[i + n] = padsEnd[i];
    }
    if (Arrays.stream(outputPadding).anyMatch(p -> p < 0)) {
      // Windows that run past the padded input (ceil_mode): pad less at the end instead.
      for (int i = 0; i < n; i++) {
        if (outputPadding[i] < 0) {
          pads[i + n] += outputPadding[i];
          outputPadding[i] = 0;
        }
      }
    }
    List<AttributeProto> attrs = new ArrayList<>(List.of(
        Attrs.ints("kernel_shape", kernel), Attrs.ints("strides", strides),
        Attrs.ints("dilations", dilations), Attrs.ints("pads", pads),
        Attrs.ints("output_padding", outputPadding)));
    attrs.addAll(List.of(extra));
    return attrs.toArray(AttributeProto[]::new);
  }

  boolean isUnitStride() {
    return Arrays.stream(strides).allMatch(v -> v == 1);
  }

  boolean hasUnitDilation() {
    return Arrays.stream(dilations).allMatch(v -> v == 1);
  }

  /**
   * Pads of the stride-1 Conv with the flipped kernel that maps dY back onto the input size,
   * {@code k - 1 - p} on each side; null when one would be negative (then ConvTranspose).
   */
  long[] flippedConvPads() {
    int n = kernel.length;
    long[] pads = new long[2 * n];
    for (int i = 0; i < n; i++) {
      pads[i] = kernel[i] - 1 - padsBegin[i];
      pads[i + n] = kernel[i] - 1 - padsEnd[i];
      if (pads[i] < 0 || pads[i + n] < 0) {
        return null;
      }
    }
    return pads;
  }

  /** How many elements each pooling window averages over, per output position. */
  float[] poolDivisors(boolean includePad) {
    int n = kernel.length;
    int total = 1;
    for (long o : out) {
      total *= (int) o;
    }
    float[] divisors = new float[total];
    int[] index = new int[n];
    for (int flat = 0; flat < total; flat++) {
      int rest = flat;
      for (int i = n - 1; i >= 0; i--) {
        index[i] = (int) (rest % out[i]);
        rest /= (int) out[i];
      }
      long count = 1;
      for (int i = 0; i < n; i++) {
        long start = index[i] * strides[i] - padsBegin[i];
        long stop = start + (kernel[i] - 1) * dilations[i] + 1;
        long lo = includePad ? -padsBegin[i] : 0;
        long hi = includePad ? in[i] + padsEnd[i] : in[i];
        long covered = 0;
        for (long p = start; p < stop; p += dilations[i]) {
          if (p >= lo && p < hi) {
            covered++;
          }
        }
        count *= covered;
      }
      divisors[flat] = count;
    }
    return divisors;
  }
}
