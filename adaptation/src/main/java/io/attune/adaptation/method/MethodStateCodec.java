package io.attune.adaptation.method;

import io.attune.adaptation.method.optim.Optimizer.OptimizerState;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Bytes of a {@link MethodState}: a magic, a format version, then the vectors as big-endian
 * IEEE floats (exact, so a restored state continues bit-identically).
 */
public final class MethodStateCodec {

  private static final int MAGIC = 0x41544d53; // "ATMS"
  private static final int FORMAT = 1;
  /** A state is kilobytes to megabytes; anything larger is corrupt input, not a state. */
  private static final int MAX_VECTOR = 64 << 20;

  private MethodStateCodec() {}

  public static byte[] encode(MethodState state) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeInt(MAGIC);
      out.writeInt(FORMAT);
      out.writeLong(state.version());
      write(out, state.affine());
      write(out, state.means());
      write(out, state.vars());
      write(out, state.optimizer().first());
      write(out, state.optimizer().second());
      out.writeLong(state.optimizer().steps());
      out.writeInt(state.extras().size());
      for (Map.Entry<String, float[]> e : state.extras().entrySet()) {
        out.writeUTF(e.getKey());
        write(out, e.getValue());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot happen writing to memory", e);
    }
    return bytes.toByteArray();
  }

  /**
   * Reads a state.
   *
   * @throws IllegalArgumentException if the bytes are not a state of this format
   */
  public static MethodState decode(byte[] bytes) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
      if (in.readInt() != MAGIC) {
        throw new IllegalArgumentException("not an Attune method state (bad magic)");
      }
      int format = in.readInt();
      if (format != FORMAT) {
        throw new IllegalArgumentException("method state format " + format
            + " is not the supported " + FORMAT);
      }
      long version = in.readLong();
      float[] affine = read(in);
      float[] means = read(in);
      float[] vars = read(in);
      OptimizerState optimizer = new OptimizerState(read(in), read(in), in.readLong());
      int extras = in.readInt();
      Map<String, float[]> map = new LinkedHashMap<>();
      for (int i = 0; i < extras; i++) {
        map.put(in.readUTF(), read(in));
      }
      if (in.available() > 0) {
        throw new IllegalArgumentException("method state has " + in.available()
            + " trailing bytes");
      }
      return new MethodState(version, affine, means, vars, optimizer, map);
    } catch (IOException e) {
      throw new IllegalArgumentException("truncated method state: " + e.getMessage(), e);
    }
  }

  private static void write(DataOutputStream out, float[] v) throws IOException {
    out.writeInt(v.length);
    for (float f : v) {
      out.writeFloat(f);
    }
  }

  private static float[] read(DataInputStream in) throws IOException {
    int n = in.readInt();
    if (n < 0 || n > MAX_VECTOR) {
      throw new IllegalArgumentException("method state vector of length " + n);
    }
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = in.readFloat();
    }
    return v;
  }
}
