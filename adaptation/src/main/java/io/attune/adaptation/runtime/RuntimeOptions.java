package io.attune.adaptation.runtime;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;
import io.attune.adaptation.model.InvalidModelException;

/**
 * How ONNX Runtime sessions run: intra-op threads and execution provider. Intra-op threads do
 * not spin while they wait (see {@link #sessionOptions}); the system property
 * {@code attune.ort.spin=1} turns ONNX Runtime's spinning back on, for comparisons.
 *
 * @param threads intra-op threads; 0 lets ONNX Runtime use one per core. With 1 thread the
 *     same inputs give bit-identical outputs, which crash replay relies on.
 * @param provider where the graphs run
 * @param device CUDA device index (ignored on CPU)
 */
public record RuntimeOptions(int threads, Provider provider, int device) {

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

  public static RuntimeOptions cpu(int threads) {
    return new RuntimeOptions(threads, Provider.CPU, 0);
  }

  /**
   * Session options for these settings; the caller closes them.
   *
   * @throws InvalidModelException if CUDA is asked for and this ONNX Runtime build lacks it
   */
  public OrtSession.SessionOptions sessionOptions() {
    OrtSession.SessionOptions options = new OrtSession.SessionOptions();
    try {
      options.setIntraOpNumThreads(threads);
      options.setSessionLogLevel(OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR);
      // Idle intra-op threads sleep instead of spinning. A spinning thread waits on its peers
      // by burning its core, which on a machine with as many busy threads as cores (2 cores
      // here, shared with other work, or with a worker's Kafka threads and its drift monitor)
      // takes the core from the peer it waits for: a TENT step at 2 threads ran 1.9 to 2.9
      // times slower spinning than sleeping at load average 8-10 (docs/worker.md, Throughput).
      options.addConfigEntry("session.intra_op.allow_spinning",
          "1".equals(System.getProperty("attune.ort.spin")) ? "1" : "0");
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
