package io.attune.adaptation.runtime;

import io.attune.adaptation.bundle.ModelBundle;
import io.attune.adaptation.method.Entropy;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import java.util.function.IntConsumer;

/**
 * Times one adaptation step (forward with batch statistics, TENT's entropy gradient, backward)
 * against one edge-graph inference on the same batch with the same threads, and the source
 * model's forward that drift monitoring runs on every batch (logits and the batch statistics of
 * every normalization input, {@code alpha = 1}), on the inference session it uses and, for
 * comparison, on the adaptation forward session that also keeps the tensors for a backward.
 * All are interleaved, so that machine noise hits them alike, and compared by their medians.
 */
public final class StepBenchmark {

  /**
   * Timings in milliseconds.
   *
   * @param inferenceMillis each edge inference
   * @param stepMillis each adaptation step
   * @param sourceMillis each source forward with statistics, on the inference session
   * @param keptSourceMillis each source forward with statistics, on the adaptation forward
   *     session (keeping the backward's tensors)
   */
  public record Result(int batch, int threads, double[] inferenceMillis, double[] stepMillis,
      double[] sourceMillis, double[] keptSourceMillis) {

    public double inferenceMedian() {
      return median(inferenceMillis);
    }

    public double stepMedian() {
      return median(stepMillis);
    }

    /** Adaptation step over inference, the number to keep small. */
    public double ratio() {
      return stepMedian() / inferenceMedian();
    }

    public double sourceMedian() {
      return median(sourceMillis);
    }

    public double keptSourceMedian() {
      return median(keptSourceMillis);
    }

    /** What drift monitoring adds to a TENT step: its source forward over the step. */
    public double monitoringShare() {
      return sourceMedian() / stepMedian();
    }

    public double samplesPerSecond(double millis) {
      return batch * 1000.0 / millis;
    }

    private static double median(double[] values) {
      double[] sorted = values.clone();
      Arrays.sort(sorted);
      int n = sorted.length;
      return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
  }

  private StepBenchmark() {}

  /**
   * Measures {@code iterations} interleaved pairs after {@code warmup} untimed ones.
   *
   * @param progress told the number of measured iterations done
   */
  public static Result run(ModelBundle bundle, int batch, int threads, int warmup,
      int iterations, IntConsumer progress) {
    return run(bundle, batch, RuntimeOptions.cpu(threads), warmup, iterations, progress);
  }

  /** As {@link #run(ModelBundle, int, int, int, int, IntConsumer)}, on any runtime settings. */
  public static Result run(ModelBundle bundle, int batch, RuntimeOptions runtime, int warmup,
      int iterations, IntConsumer progress) {
    int threads = runtime.threads();
    int sampleSize = (int) Arrays.stream(bundle.sampleShape()).reduce(1, Math::multiplyExact);
    float[] input = new float[batch * sampleSize];
    Random random = new Random(0);
    for (int i = 0; i < input.length; i++) {
      input[i] = (float) random.nextGaussian();
    }
    int classes = bundle.manifest().head().classes();
    double[] inference = new double[iterations];
    double[] step = new double[iterations];
    double[] source = new double[iterations];
    double[] keptSource = new double[iterations];
    try (EdgeSession edge = new EdgeSession(bundle, runtime);
        AdaptationStep adaptation = bundle.openStep(runtime)) {
      for (int i = -warmup; i < iterations; i++) {
        long t0 = System.nanoTime();
        edge.infer(input, batch, Map.of());
        long t1 = System.nanoTime();
        try (AdaptationStep.Forward fwd = adaptation.forward(input, batch, Map.of(), 0f)) {
          adaptation.backward(fwd, Entropy.meanGradient(fwd.logits(), batch, classes), null);
        }
        long t2 = System.nanoTime();
        try (AdaptationStep.Forward fwd = adaptation.inferenceForward(input, batch, Map.of(),
            1f)) {
          readOutputs(fwd, bundle);
        }
        long t3 = System.nanoTime();
        try (AdaptationStep.Forward fwd = adaptation.forward(input, batch, Map.of(), 1f)) {
          readOutputs(fwd, bundle);
        }
        long t4 = System.nanoTime();
        if (i >= 0) {
          inference[i] = (t1 - t0) / 1e6;
          step[i] = (t2 - t1) / 1e6;
          source[i] = (t3 - t2) / 1e6;
          keptSource[i] = (t4 - t3) / 1e6;
          progress.accept(i + 1);
        }
      }
    }
    return new Result(batch, threads, inference, step, source, keptSource);
  }

  /** What the source method reads off a forward: logits and every layer's statistics. */
  private static void readOutputs(AdaptationStep.Forward fwd, ModelBundle bundle) {
    fwd.logits();
    for (int layer = 0; layer < bundle.manifest().layers().size(); layer++) {
      fwd.batchMean(bundle.manifest().layers().get(layer).index());
      fwd.batchVar(bundle.manifest().layers().get(layer).index());
    }
  }
}
