package io.attune.simulators.evaluation;

import io.attune.adaptation.bundle.ModelBundle;
import io.attune.adaptation.eval.RunReport;
import io.attune.adaptation.eval.StreamEvaluation;
import io.attune.adaptation.eval.StreamEvaluation.LabelledBatch;
import io.attune.adaptation.method.AdaptationMethod;
import io.attune.adaptation.method.Methods;
import io.attune.adaptation.runtime.AdaptationStep;
import io.attune.simulators.schedule.LabeledImages;
import io.attune.simulators.schedule.Schedule;
import io.attune.simulators.schedule.ShiftStream;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;

/**
 * Runs a {@link ResultsPlan}: each section's stream is generated once and held (about 25 MB per
 * 10,000 preprocessed 28 x 28 images), the source model's predictions of it computed once, and
 * every method run over the same batches beside them. So every method of a section sees the
 * same samples, and only its own steps count towards its speed.
 */
public final class ResultsRun {

  private final ModelBundle bundle;
  private final AdaptationStep sessions;
  private final LabeledImages source;
  private final ResultsPlan plan;
  private final LongConsumer progress;
  private final int classes;
  private long done;

  private ResultsRun(ModelBundle bundle, AdaptationStep sessions, LabeledImages source,
      ResultsPlan plan, LongConsumer progress) {
    this.bundle = bundle;
    this.sessions = sessions;
    this.source = source;
    this.plan = plan;
    this.progress = progress;
    this.classes = bundle.manifest().head().classes();
  }

  /**
   * Runs every section.
   *
   * @param sessions the bundle's sessions, which every method shares
   * @param source the labelled images the streams are made of
   * @param progress told the samples streamed by all method runs so far, out of
   *     {@link ResultsPlan#totalSamples}
   * @throws IllegalArgumentException if a method name is unknown or the images do not fit
   */
  public static Results run(ModelBundle bundle, AdaptationStep sessions, LabeledImages source,
      ResultsPlan plan, LongConsumer progress) {
    return new ResultsRun(bundle, sessions, source, plan, progress).run();
  }

  private Results run() {
    plan.methods().forEach(ResultsRun::requireKnown);
    long start = System.nanoTime();
    String corrupted = plan.corruptedSchedule();
    Results.Section perCorruption = section(corrupted, plan.samplesPerCorruption(), plan.batch(),
        StreamEvaluation.Reset.PER_DOMAIN, plan.methods());
    Results.Section continual = section(corrupted, plan.samplesPerCorruption(), plan.batch(),
        StreamEvaluation.Reset.NEVER, plan.methods());
    Results.Section batchOne = section(corrupted, plan.batchOneSamples(), 1,
        StreamEvaluation.Reset.PER_DOMAIN, plan.batchOneMethods());
    Results.Section clean = section("clean", plan.cleanSamples(), plan.batch(),
        StreamEvaluation.Reset.PER_DOMAIN, plan.methods());
    return new Results(plan, perCorruption, continual, batchOne, clean,
        (System.nanoTime() - start) / 1e9);
  }

  private static void requireKnown(String method) {
    if (!Methods.NAMES.contains(method)) {
      throw new IllegalArgumentException("unknown method '" + method + "'; known: "
          + String.join(", ", Methods.NAMES));
    }
  }

  private Results.Section section(String schedule, int samples, int batch,
      StreamEvaluation.Reset reset, List<String> methods) {
    LabeledImages subset = source.stratified(samples);
    ShiftBatches stream = ShiftBatches.of(ShiftStream.open(Schedule.parse(schedule), subset,
        plan.seed()), bundle.manifest(), batch, reset == StreamEvaluation.Reset.PER_DOMAIN);
    List<LabelledBatch> batches = new ArrayList<>();
    stream.forEach(batches::add);
    StreamEvaluation.Baseline baseline = memoized(
        StreamEvaluation.Baseline.running(Methods.create("source", bundle, sessions)));
    List<RunReport> runs = new ArrayList<>();
    for (String method : methods) {
      AdaptationMethod adapted = Methods.create(method, bundle, sessions);
      long before = done;
      StreamEvaluation.Result result = StreamEvaluation.run(adapted, baseline, batches, classes,
          reset, n -> progress.accept(before + n), outputs -> { });
      done = before + result.samples();
      runs.add(RunReport.of(result, method, bundle.manifest().name(), bundle.dir().toString(),
          batch, reset, schedule, stream::domainName));
    }
    return new Results.Section(schedule, batch, reset, subset.count(), runs);
  }

  /** The source's predictions of each batch, computed the first time it is asked for. */
  private static StreamEvaluation.Baseline memoized(StreamEvaluation.Baseline baseline) {
    Map<LabelledBatch, float[]> seen = new IdentityHashMap<>();
    return b -> seen.computeIfAbsent(b, baseline::probabilities);
  }
}
