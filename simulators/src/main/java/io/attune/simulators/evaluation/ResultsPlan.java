package io.attune.simulators.evaluation;

import io.attune.simulators.corruption.Corruption;
import io.attune.simulators.corruption.Corruptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What {@code attune results} measures, on one bundle and one source of labelled images:
 * <ol>
 *   <li><b>per corruption</b>: every corruption at {@code severity}, each method online at
 *       {@code batch}, reset to the source at each corruption;
 *   <li><b>continual</b>: the same corruptions one after another, never reset;
 *   <li><b>batch size 1</b>: the corruptions again, one sample per step, the
 *       {@link #batchOneMethods} only (the entropy methods need batch statistics);
 *   <li><b>clean</b>: the uncorrupted source, every method, {@code batch};
 *   <li><b>label shift</b>: the corruptions again, reset per corruption, with the samples of
 *       each corruption in a non-i.i.d. class order ({@link #labelShifts}: sorted by class as
 *       in LAME, or Dirichlet as in NOTE and RoTTA) at each of {@link #labelShiftSeverities},
 *       {@code labelShiftSamples} per corruption; skipped when that is 0;
 *   <li><b>mixed</b>: every corruption's samples shuffled into one stream (SAR's mixed
 *       domains), never reset, {@code mixedSamples} per corruption; skipped when that is 0.
 * </ol>
 * The corrupted sections stream a class-stratified subset of {@code samplesPerCorruption}
 * source images per corruption (the same images for every corruption and method; see
 * {@link io.attune.simulators.schedule.LabeledImages#stratified}); the clean section streams
 * {@code cleanSamples}.
 *
 * @param methods method names (as {@code Methods.create} takes them), in table order
 * @param batchOneMethods methods of the batch-size-1 section, in table order
 * @param corruptions the shifts, in the order of the continual run
 * @param severity 1 to 5
 * @param samplesPerCorruption images per corruption, at least 1
 * @param batchOneSamples images per corruption at batch size 1, at least 1
 * @param cleanSamples images of the clean section, at least 1
 * @param batch batch size of every section but batch size 1, at least 1
 * @param seed seed of the corruptions' randomness
 * @param labelShifts class orders of the label-shift sections, as the schedule syntax spells
 *     them ({@code sorted}, {@code dirichlet:0.1})
 * @param labelShiftSeverities severities of the label-shift sections
 * @param labelShiftSamples images per corruption in the label-shift sections; 0 skips them
 * @param mixedSamples images per corruption in the mixed section; 0 skips it
 */
public record ResultsPlan(List<String> methods, List<String> batchOneMethods,
    List<Corruption> corruptions, int severity, int samplesPerCorruption, int batchOneSamples,
    int cleanSamples, int batch, long seed, List<String> labelShifts,
    List<Integer> labelShiftSeverities, int labelShiftSamples, int mixedSamples) {

  /** The methods of issue 6: the calibration and entropy methods, and the guarded variants. */
  public static final List<String> DEFAULT_METHODS = List.of("source", "norm", "norm-ema",
      "tent", "eata", "sar", "tent+guard", "eata+guard", "sar+guard");

  /**
   * What makes sense at batch size 1 on a BN model: the source, test-time BN (whose one-sample
   * statistics show why it needs batches), the running target statistics of norm-ema, the
   * per-sample feature methods T3A and AdaNPC alone and over norm-ema's statistics, and ROID
   * over them ({@code roid+ema}). {@link ResultsPage} says why each other method is left out.
   */
  public static final List<String> BATCH_ONE_METHODS = List.of("source", "norm", "norm-ema",
      "t3a", "t3a+ema", "adanpc", "adanpc+ema", "roid+ema");

  /** The label shifts of the methods issues: LAME's class-sorted order and Dirichlet(0.1). */
  public static final List<String> LABEL_SHIFTS = List.of("sorted", "dirichlet:0.1");

  /** Severities of the label-shift sections. */
  public static final List<Integer> LABEL_SHIFT_SEVERITIES = List.of(3, 5);

  /** @throws IllegalArgumentException naming every value out of range */
  public ResultsPlan {
    methods = List.copyOf(methods);
    labelShifts = List.copyOf(labelShifts);
    labelShiftSeverities = List.copyOf(labelShiftSeverities);
    batchOneMethods = List.copyOf(batchOneMethods);
    corruptions = List.copyOf(corruptions);
    List<String> problems = new ArrayList<>();
    if (methods.isEmpty()) {
      problems.add("no method to run");
    }
    if (corruptions.isEmpty()) {
      problems.add("no corruption to run");
    }
    if (severity < 1 || severity > Corruption.MAX_SEVERITY) {
      problems.add("severity must be 1 to " + Corruption.MAX_SEVERITY + ", got " + severity);
    }
    if (samplesPerCorruption < 1 || batchOneSamples < 1 || cleanSamples < 1) {
      problems.add("sample counts must be at least 1, got " + samplesPerCorruption + ", "
          + batchOneSamples + " and " + cleanSamples);
    }
    if (batch < 1) {
      problems.add("batch must be at least 1, got " + batch);
    }
    if (labelShiftSamples < 0 || mixedSamples < 0) {
      problems.add("label-shift and mixed sample counts must be at least 0, got "
          + labelShiftSamples + " and " + mixedSamples);
    }
    for (int s : labelShiftSeverities) {
      if (s < 1 || s > Corruption.MAX_SEVERITY) {
        problems.add("label-shift severity must be 1 to " + Corruption.MAX_SEVERITY + ", got "
            + s);
      }
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException("results plan: " + String.join("; ", problems));
    }
  }

  /** The plan of the four first sections only (no label-shift nor mixed section). */
  public ResultsPlan(List<String> methods, List<String> batchOneMethods,
      List<Corruption> corruptions, int severity, int samplesPerCorruption, int batchOneSamples,
      int cleanSamples, int batch, long seed) {
    this(methods, batchOneMethods, corruptions, severity, samplesPerCorruption, batchOneSamples,
        cleanSamples, batch, seed, List.of(), List.of(), 0, 0);
  }

  /**
   * Every built-in corruption at severity 5, batch 64, seed 0, the given methods; the
   * batch-size-1 section runs those of them that are among {@link #BATCH_ONE_METHODS}, in
   * their order.
   */
  public static ResultsPlan standard(List<String> methods, int samplesPerCorruption,
      int batchOneSamples, int cleanSamples) {
    return standard(methods, samplesPerCorruption, batchOneSamples, cleanSamples, 0, 0);
  }

  /**
   * {@link #standard(List, int, int, int)} with the label-shift sections ({@link #LABEL_SHIFTS}
   * at {@link #LABEL_SHIFT_SEVERITIES}) and the mixed section.
   */
  public static ResultsPlan standard(List<String> methods, int samplesPerCorruption,
      int batchOneSamples, int cleanSamples, int labelShiftSamples, int mixedSamples) {
    Objects.requireNonNull(methods, "methods");
    List<String> batchOne = methods.stream().filter(BATCH_ONE_METHODS::contains).toList();
    return new ResultsPlan(methods, batchOne, Corruptions.shifts(), Corruption.MAX_SEVERITY,
        samplesPerCorruption, batchOneSamples, cleanSamples, 64, 0, LABEL_SHIFTS,
        LABEL_SHIFT_SEVERITIES, labelShiftSamples, mixedSamples);
  }

  /** Samples all the method runs stream together, for a progress bar. */
  public long totalSamples(int sourceCount) {
    long corrupted = (long) Math.min(samplesPerCorruption, sourceCount) * corruptions.size();
    long batchOne = (long) Math.min(batchOneSamples, sourceCount) * corruptions.size();
    long clean = Math.min(cleanSamples, sourceCount);
    long labelShift = (long) Math.min(labelShiftSamples, sourceCount) * corruptions.size()
        * labelShifts.size() * labelShiftSeverities.size();
    long mixed = (long) Math.min(mixedSamples, sourceCount) * corruptions.size();
    return (2 * corrupted + clean + labelShift + mixed) * methods.size()
        + batchOne * batchOneMethods.size();
  }

  /** The compact schedule of the corrupted sections: {@code continual:c1:5,c2:5,...}. */
  public String corruptedSchedule() {
    return schedule("continual", severity);
  }

  /** The schedule of a label-shift section: the corruptions at a severity in a class order. */
  public String labelShiftSchedule(String order, int atSeverity) {
    return schedule("continual", atSeverity) + "+" + order;
  }

  /** The schedule of the mixed section: every corruption's samples shuffled together. */
  public String mixedSchedule() {
    return schedule("mixed", severity);
  }

  private String schedule(String kind, int atSeverity) {
    StringBuilder spec = new StringBuilder(kind).append(':');
    for (int i = 0; i < corruptions.size(); i++) {
      spec.append(i == 0 ? "" : ",").append(corruptions.get(i).name()).append(':')
          .append(atSeverity);
    }
    return spec.toString();
  }
}
