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
import java.util.Optional;
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
  private final ResultsArchive.Archive archive;
  private final java.util.Set<String> rerun;
  private final int classes;
  private final List<String> reused = new ArrayList<>();
  private long done;

  private ResultsRun(ModelBundle bundle, AdaptationStep sessions, LabeledImages source,
      ResultsPlan plan, LongConsumer progress, ResultsArchive.Archive archive,
      java.util.Set<String> rerun) {
    this.bundle = bundle;
    this.sessions = sessions;
    this.source = source;
    this.plan = plan;
    this.progress = progress;
    this.archive = archive;
    this.rerun = java.util.Set.copyOf(rerun);
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
    return new ResultsRun(bundle, sessions, source, plan, progress,
        ResultsArchive.Archive.empty(), java.util.Set.of()).run();
  }

  /**
   * Runs every section, taking over from {@code archive} the runs it holds for the same
   * section, except those of the methods in {@code rerun}. The caller checks that the archive
   * was made with the same bundle.
   */
  public static Results run(ModelBundle bundle, AdaptationStep sessions, LabeledImages source,
      ResultsPlan plan, LongConsumer progress, ResultsArchive.Archive archive,
      java.util.Set<String> rerun) {
    return new ResultsRun(bundle, sessions, source, plan, progress, archive, rerun).run();
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
    List<Results.Section> labelShift = new ArrayList<>();
    if (plan.labelShiftSamples() > 0) {
      for (String order : plan.labelShifts()) {
        for (int severity : plan.labelShiftSeverities()) {
          labelShift.add(section(plan.labelShiftSchedule(order, severity),
              plan.labelShiftSamples(), plan.batch(), StreamEvaluation.Reset.PER_DOMAIN,
              plan.methods()));
        }
      }
    }
    Optional<Results.Section> mixed = plan.mixedSamples() == 0 ? Optional.empty()
        : Optional.of(section(plan.mixedSchedule(), plan.mixedSamples(), plan.batch(),
            StreamEvaluation.Reset.NEVER, plan.methods()));
    return new Results(plan, perCorruption, continual, batchOne, clean, labelShift, mixed,
        (System.nanoTime() - start) / 1e9, reused);
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
    String key = ResultsArchive.sectionKey(schedule, batch, reset, subset.count());
    for (String method : methods) {
      Optional<RunReport> archived = rerun.contains(method) ? Optional.empty()
          : archive.run(key, method);
      if (archived.isPresent()) {
        runs.add(archived.get());
        reused.add(method + " @ " + key);
        done += archived.get().samples();
        progress.accept(done);
        continue;
      }
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
