package io.attune.adaptation.runtime;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;

/**
 * Input tensors kept across ONNX Runtime calls. Each tensor wraps a direct, native-order
 * buffer, which ONNX Runtime reads in place: a later call copies its values into the same
 * buffer and feeds the same tensor, so no tensor or off-heap memory is made per call once the
 * shapes have been seen (a new batch size makes a new input tensor, kept from then on).
 *
 * <p>A {@link Set} is leased for one call (or for as long as a forward's tensors must stay
 * valid) and given back afterwards; calls that overlap, from several threads or nested (a
 * second forward while the first one's backward is pending), lease different sets, so a
 * buffer is never rewritten while a call that reads it is running.
 */
final class InputBuffers implements AutoCloseable {

  /** Sets kept for reuse; more overlapping calls than this make and drop extra sets. */
  private static final int KEPT = 4;

  private final OrtEnvironment env;
  private final Deque<Set> free = new ArrayDeque<>();
  private boolean closed;

  InputBuffers(OrtEnvironment env) {
    this.env = env;
  }

  /** A set of tensors for one call; give it back with {@link #release}. */
  synchronized Set lease() {
    Set set = free.pollFirst();
    return set != null ? set : new Set();
  }

  synchronized void release(Set set) {
    if (closed || free.size() >= KEPT) {
      set.close();
    } else {
      free.addFirst(set);
    }
  }

  @Override
  public synchronized void close() {
    closed = true;
    free.forEach(Set::close);
    free.clear();
  }

  /** Named float tensors backed by reusable direct buffers. */
  final class Set implements AutoCloseable {

    private record Slot(long[] shape, FloatBuffer buffer, OnnxTensor tensor) {}

    private final Map<String, Slot> slots = new HashMap<>();

    /** The tensor {@code name} of {@code shape} holding {@code values} (copied in). */
    OnnxTensor put(String name, float[] values, long[] shape) {
      Slot slot = slots.get(name);
      if (slot == null || !Arrays.equals(slot.shape(), shape)) {
        if (slot != null) {
          slot.tensor().close();
        }
        FloatBuffer buffer = ByteBuffer.allocateDirect(Math.max(1, values.length) * Float.BYTES)
            .order(ByteOrder.nativeOrder()).asFloatBuffer();
        try {
          slot = new Slot(shape.clone(), buffer, OnnxTensor.createTensor(env, buffer, shape));
        } catch (OrtException e) {
          throw new IllegalStateException("ONNX Runtime cannot make tensor '" + name + "': "
              + e.getMessage(), e);
        }
        slots.put(name, slot);
      }
      FloatBuffer b = slot.buffer();
      b.clear();
      b.put(values);
      return slot.tensor();
    }

    /** A scalar. */
    OnnxTensor scalar(String name, float value) {
      return put(name, new float[] {value}, new long[0]);
    }

    @Override
    public void close() {
      slots.values().forEach(s -> s.tensor().close());
      slots.clear();
    }
  }
}
