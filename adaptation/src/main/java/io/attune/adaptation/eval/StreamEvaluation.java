package io.attune.adaptation.eval;

import io.attune.adaptation.method.AdaptationMethod;
import io.attune.adaptation.method.Batch;
import io.attune.adaptation.method.MethodState;
import io.attune.adaptation.method.Outputs;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;

/**
 * Runs a labelled stream through a method online, batch by batch, next to the source model,
 * and scores both. Labels stay here: the method gets {@link Batch}es, which have none.
 */
public final class StreamEvaluation {

  /** When the method starts again from the source. */
  public enum Reset { NEVER, PER_DOMAIN }

  /** One labelled batch: preprocessed inputs, labels, and the domain of each sample. */
  public record LabelledBatch(float[] inputs, int[] labels, int[] domains) {
    public int size() {
      return labels.length;
    }
  }

  /**
   * Scores per domain.
   *
   * @param adapted confusion of the method's predictions
   * @param source confusion of the source model's predictions on the same samples
   * @param samplesUsed samples the method adapted on
   */
  public record DomainScore(int domain, ConfusionMatrix adapted, ConfusionMatrix source,
      long samplesUsed) {}

  /** The whole run: per-domain scores in order of first appearance, and the method's speed. */
  public record Result(String method, List<DomainScore> domains, long samples,
      double methodSeconds) {

    public double samplesPerSecond() {
      return samples / Math.max(methodSeconds, 1e-9);
    }

    /** Error over the labelled samples (out-of-distribution ones have no label to miss). */
    public double error() {
      return 1 - domains.stream().mapToLong(d -> d.adapted().correct()).sum()
          / (double) labelled();
    }

    public double sourceError() {
      return 1 - domains.stream().mapToLong(d -> d.source().correct()).sum()
          / (double) labelled();
    }

    private long labelled() {
      return Math.max(1, domains.stream().mapToLong(d -> d.adapted().total()).sum());
    }

    public double shareUsed() {
      return domains.stream().mapToLong(DomainScore::samplesUsed).sum() / (double) samples;
    }
  }

  private StreamEvaluation() {}

  /**
   * What a method is scored beside: the source model's probabilities for a batch,
   * {@code [N, classes]} row-major.
   */
  @FunctionalInterface
  public interface Baseline {

    float[] probabilities(LabelledBatch batch);

    /** Runs {@code source} on every batch, threading its state as a method's. */
    static Baseline running(AdaptationMethod source) {
      MethodState[] state = {source.initialState()};
      return b -> {
        AdaptationMethod.Step step = source.step(state[0], new Batch(b.inputs(), b.size()));
        state[0] = step.state();
        return step.outputs().probabilities();
      };
    }
  }

  /**
   * Runs the stream.
   *
   * @param progress told the number of samples done after each batch
   * @param observer sees the method's outputs of every batch, in order
   */
  public static Result run(AdaptationMethod method, AdaptationMethod source,
      Iterable<LabelledBatch> stream, int classes, Reset reset, LongConsumer progress,
      java.util.function.Consumer<Outputs> observer) {
    return run(method, Baseline.running(source), stream, classes, reset, progress, observer);
  }

  /**
   * Runs the stream, scoring the method beside {@code baseline}'s predictions (which a caller
   * running several methods over the same batches can compute once). Only the method's steps
   * count towards {@link Result#methodSeconds()}.
   */
  public static Result run(AdaptationMethod method, Baseline baseline,
      Iterable<LabelledBatch> stream, int classes, Reset reset, LongConsumer progress,
      java.util.function.Consumer<Outputs> observer) {
    Map<Integer, long[]> used = new LinkedHashMap<>();
    Map<Integer, ConfusionMatrix[]> scores = new LinkedHashMap<>();
    MethodState state = method.initialState();
    int currentDomain = Integer.MIN_VALUE;
    long samples = 0;
    long nanos = 0;
    for (LabelledBatch b : stream) {
      int domain = b.domains()[0];
      if (reset == Reset.PER_DOMAIN && domain != currentDomain) {
        state = method.initialState();
      }
      currentDomain = domain;
      Batch batch = new Batch(b.inputs(), b.size());
      long t0 = System.nanoTime();
      AdaptationMethod.Step step = method.step(state, batch);
      nanos += System.nanoTime() - t0;
      state = step.state();
      observer.accept(step.outputs());
      score(b, step.outputs(), baseline.probabilities(b), classes, scores, used);
      samples += b.size();
      progress.accept(samples);
    }
    List<DomainScore> domains = new ArrayList<>();
    // A domain that only ever began mid-batch (no reset, short domains) adapted on nothing of
    // its own: the batches' samples used went to the domains those batches began in.
    scores.forEach((d, m) -> domains.add(new DomainScore(d, m[0], m[1],
        used.getOrDefault(d, new long[1])[0])));
    return new Result(method.name(), domains, samples, nanos / 1e9);
  }

  private static void score(LabelledBatch b, Outputs adapted, float[] source, int classes,
      Map<Integer, ConfusionMatrix[]> scores, Map<Integer, long[]> used) {
    int[] a = Predictions.argmax(adapted.probabilities(), b.size(), classes);
    int[] s = Predictions.argmax(source, b.size(), classes);
    for (int i = 0; i < b.size(); i++) {
      ConfusionMatrix[] m = scores.computeIfAbsent(b.domains()[i], k ->
          new ConfusionMatrix[] {new ConfusionMatrix(classes), new ConfusionMatrix(classes)});
      if (b.labels()[i] >= 0) {
        m[0].add(b.labels()[i], a[i]);
        m[1].add(b.labels()[i], s[i]);
      }
    }
    // Filtering methods report how many samples they used; attribute them to the batch's domain.
    used.computeIfAbsent(b.domains()[0], k -> new long[1])[0] +=
        adapted.diagnostics().samplesUsed();
  }
}
