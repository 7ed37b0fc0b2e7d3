package io.attune.adaptation.drift;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.EnumMap;
import java.util.Map;

/**
 * Bytes of a {@link DriftMonitor.State}: a magic, a format version, then the fields as
 * big-endian IEEE doubles and longs (exact, so a restored monitor continues identically).
 * Detectors are written with their signal's name, so adding a signal later keeps old states
 * readable. Format 2 adds the guard's estimate window; format 1 states still decode, with an
 * empty estimate window that fills over the next batches. Format 3 adds the batch that raised
 * the open data-drift alert (for older states inferred from the detectors in alarm) and the
 * adapted model's confidence calibration ratio (1 for older states, until re-measured).
 */
public final class MonitorStateCodec {

  private static final int MAGIC = 0x4154444d; // "ATDM"
  private static final int FORMAT = 3;
  private static final int FORMAT_WITHOUT_DRIFT_EPISODE = 2;
  private static final int FORMAT_WITHOUT_ESTIMATES = 1;
  /** A monitor state is a few hundred bytes; a longer vector is corrupt input. */
  private static final int MAX_VECTOR = 1 << 20;

  private MonitorStateCodec() {}

  public static byte[] encode(DriftMonitor.State state) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeInt(MAGIC);
      out.writeInt(FORMAT);
      out.writeLong(state.batches());
      out.writeInt(state.detectors().size());
      for (Map.Entry<Signal, ChangeDetector.State> e : state.detectors().entrySet()) {
        out.writeUTF(e.getKey().name());
        writeDetector(out, e.getValue());
      }
      PublishingGuard.State g = state.guard();
      out.writeDouble(g.confident());
      out.writeDouble(g.agreements());
      write(out, g.adaptedClasses());
      write(out, g.sourceClasses());
      out.writeDouble(g.resets());
      out.writeDouble(g.mixing());
      out.writeDouble(g.concentration());
      out.writeBoolean(g.reverted());
      out.writeDouble(g.samples());
      out.writeDouble(g.adaptedConfident());
      out.writeLong(state.revertedSince());
      out.writeDouble(state.samples());
      out.writeDouble(state.adaptedConfident());
      out.writeDouble(state.sourceJudgedCorrect());
      out.writeLong(state.driftSince());
      out.writeDouble(state.calibration());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot happen writing to memory", e);
    }
    return bytes.toByteArray();
  }

  /**
   * Reads a state.
   *
   * @throws IllegalArgumentException if the bytes are not a monitor state of this format
   */
  public static DriftMonitor.State decode(byte[] bytes) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
      if (in.readInt() != MAGIC) {
        throw new IllegalArgumentException("not an Attune drift monitor state (bad magic)");
      }
      int format = in.readInt();
      if (format < FORMAT_WITHOUT_ESTIMATES || format > FORMAT) {
        throw new IllegalArgumentException("drift monitor state format " + format
            + " is not one of the supported " + FORMAT_WITHOUT_ESTIMATES + " to " + FORMAT);
      }
      long batches = in.readLong();
      int count = in.readInt();
      Map<Signal, ChangeDetector.State> detectors = new EnumMap<>(Signal.class);
      for (int i = 0; i < count; i++) {
        String name = in.readUTF();
        detectors.put(signal(name), readDetector(in));
      }
      PublishingGuard.State guard = new PublishingGuard.State(in.readDouble(), in.readDouble(),
          read(in), read(in), in.readDouble(), in.readDouble(), in.readDouble(),
          in.readBoolean());
      if (format >= FORMAT_WITHOUT_DRIFT_EPISODE) {
        guard = new PublishingGuard.State(guard.confident(), guard.agreements(),
            guard.adaptedClasses(), guard.sourceClasses(), guard.resets(), guard.mixing(),
            guard.concentration(), guard.reverted(), in.readDouble(), in.readDouble());
      }
      long revertedSince = in.readLong();
      double samples = in.readDouble();
      double adaptedConfident = in.readDouble();
      double sourceJudgedCorrect = in.readDouble();
      long driftSince = format == FORMAT ? in.readLong() : episodeStart(batches, detectors);
      double calibration = format == FORMAT ? in.readDouble() : 1;
      DriftMonitor.State state = new DriftMonitor.State(batches, detectors, guard,
          revertedSince, driftSince, samples, adaptedConfident, sourceJudgedCorrect,
          calibration);
      if (in.available() > 0) {
        throw new IllegalArgumentException("drift monitor state has " + in.available()
            + " trailing bytes");
      }
      return state;
    } catch (IOException e) {
      throw new IllegalArgumentException("truncated drift monitor state: " + e.getMessage(), e);
    }
  }

  /** The batch at which the earliest detector in alarm raised; -1 when none is. */
  private static long episodeStart(long batches, Map<Signal, ChangeDetector.State> detectors) {
    return detectors.values().stream()
        .filter(d -> d.phase() == ChangeDetector.Phase.ALARM)
        .mapToLong(d -> batches - (d.values() - d.alarmSince()))
        .min().orElse(-1);
  }

  private static Signal signal(String name) {
    try {
      return Signal.valueOf(name);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("drift monitor state names an unknown signal '"
          + name + "'", e);
    }
  }

  private static void writeDetector(DataOutputStream out, ChangeDetector.State d)
      throws IOException {
    out.writeUTF(d.phase().name());
    write(out, d.warmupValues());
    out.writeDouble(d.baseline());
    out.writeDouble(d.sigma());
    out.writeDouble(d.raiseSum());
    out.writeDouble(d.resolveSum());
    out.writeLong(d.values());
    out.writeLong(d.alarmSince());
  }

  private static ChangeDetector.State readDetector(DataInputStream in) throws IOException {
    ChangeDetector.Phase phase;
    String name = in.readUTF();
    try {
      phase = ChangeDetector.Phase.valueOf(name);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("unknown detector phase '" + name + "'", e);
    }
    return new ChangeDetector.State(phase, read(in), in.readDouble(), in.readDouble(),
        in.readDouble(), in.readDouble(), in.readLong(), in.readLong());
  }

  private static void write(DataOutputStream out, double[] v) throws IOException {
    out.writeInt(v.length);
    for (double x : v) {
      out.writeDouble(x);
    }
  }

  private static double[] read(DataInputStream in) throws IOException {
    int n = in.readInt();
    if (n < 0 || n > MAX_VECTOR) {
      throw new IllegalArgumentException("drift monitor state has a vector of " + n
          + " values");
    }
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      v[i] = in.readDouble();
    }
    return v;
  }
}
