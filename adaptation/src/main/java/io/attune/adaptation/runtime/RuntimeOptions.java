package io.attune.adaptation.runtime;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;
import io.attune.adaptation.model.InvalidModelException;
import java.nio.file.Path;

/**
 * How ONNX Runtime sessions run: intra-op threads and execution provider. Intra-op threads do
 * not spin while they wait (see {@link #sessionOptions}); the system property
 * {@code attune.ort.spin=1} turns ONNX Runtime's spinning back on, for comparisons; and
 * {@code attune.ort.level=EXTENDED_OPT}
 * (or another {@code OptLevel}) lowers ONNX Runtime's graph optimization level, which is all
 * optimizations by default: its blocked-layout (NCHWc) convolutions ran both the edge
 * inference and the adaptation step about twice as fast as EXTENDED_OPT (docs/bench.md).
 *
 * @param threads intra-op threads; 0 lets ONNX Runtime use one per core. With 1 thread the
 *     same inputs give bit-identical outputs, which crash replay relies on.
 * @param provider where the graphs run
 * @param device CUDA device index (ignored on CPU)
 * @param profileDirectory where ONNX Runtime writes each session's per-node profile when it
 *     closes ({@code <graph>_<date>.json}, read by {@link OrtProfile}); null for none
 */
public record RuntimeOptions(int threads, Provider provider, int device, Path profileDirectory) {

  /** ONNX Runtime's session config key for spin-waiting intra-op threads. */
  static final String SPINNING_CONFIG = "session.intra_op.allow_spinning";

  /** Execution providers Attune knows how to configure. */
  public enum Provider { CPU, CUDA }

  public RuntimeOptions {
    if (threads < 0) {
      throw new IllegalArgumentException("threads must be 0 (automatic) or more, got " + threads);
    }
    if (device < 0) {
      throw new IllegalArgumentException("device must be a CUDA device index, got " + device);
    }
  }

  public RuntimeOptions(int threads, Provider provider, int device) {
    this(threads, provider, device, null);
  }

  /** The same settings, with every session profiled into {@code directory}. */
  public RuntimeOptions withProfiling(Path directory) {
    return new RuntimeOptions(threads, provider, device, directory);
  }

  private static OrtSession.SessionOptions.OptLevel optimizationLevel(String name) {
    try {
      return OrtSession.SessionOptions.OptLevel.valueOf(name);
    } catch (IllegalArgumentException e) {
      throw new InvalidModelException("attune.ort.level must be one of "
          + java.util.Arrays.toString(OrtSession.SessionOptions.OptLevel.values()) + ", not '"
          + name + "'");
    }
  }

  public static RuntimeOptions cpu(int threads) {
    return new RuntimeOptions(threads, Provider.CPU, 0);
  }

  /**
   * Session options for these settings; the caller closes them.
   *
   * @throws InvalidModelException if CUDA is asked for and this ONNX Runtime build lacks it
   */
  public OrtSession.SessionOptions sessionOptions() {
    return sessionOptions("session");
  }

  /**
   * Session options for the graph named {@code graph} (which names its profile).
   *
   * @throws InvalidModelException if CUDA is asked for and this ONNX Runtime build lacks it
   */
  public OrtSession.SessionOptions sessionOptions(String graph) {
    OrtSession.SessionOptions options = new OrtSession.SessionOptions();
    try {
      options.setIntraOpNumThreads(threads);
      options.setSessionLogLevel(OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR);
      // Intra-op threads block between a session's nodes instead of spinning. A spinning
      // thread waits on its peers by burning its core, which on a machine with as many busy
      // threads as cores (two here, shared with Kafka's threads, a drift monitor or other
      // processes) takes the core from the peer it waits for, and every multi-threaded node
      // waits for its slowest thread: a TENT step at 2 threads ran 1.9 to 2.9 times slower
      // spinning at load average 8-10 (docs/worker.md, Throughput), and the edge inference and
      // the adaptation step, whose graphs have many more nodes, both ran faster without it
      // (docs/bench.md). Threads waking per node cost microseconds where nothing else runs.
      options.addConfigEntry(SPINNING_CONFIG,
          "1".equals(System.getProperty("attune.ort.spin")) ? "1" : "0");
      String level = System.getProperty("attune.ort.level");
      if (level != null) {
        options.setOptimizationLevel(optimizationLevel(level));
      }
      if (profileDirectory != null) {
        options.enableProfiling(profileDirectory.resolve(graph).toString());
      }
      if (provider == Provider.CUDA) {
        if (!OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA)) {
          throw new InvalidModelException("the CUDA execution provider was requested, but this "
              + "ONNX Runtime build has none (build Attune with -Pgpu on a machine with CUDA)");
        }
        options.addCUDA(device);
      }
      return options;
    } catch (OrtException e) {
      options.close();
      throw new InvalidModelException("ONNX Runtime cannot use " + provider + " device "
          + device + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      options.close();
      throw e;
    }
  }
}
