package io.attune.topology.adapt;

import io.attune.adaptation.bundle.BundleManifest;
import io.attune.adaptation.bundle.ModelBundle;
import io.attune.adaptation.drift.DriftMonitor;
import io.attune.adaptation.drift.DriftSignals;
import io.attune.adaptation.drift.MonitorStateCodec;
import io.attune.adaptation.drift.Signal;
import io.attune.adaptation.method.AdaptationMethod;
import io.attune.adaptation.method.Batch;
import io.attune.adaptation.method.MethodState;
import io.attune.adaptation.method.MethodStateCodec;
import io.attune.adaptation.method.Outputs;
import io.attune.schemas.AdaptedPrediction;
import io.attune.schemas.DType;
import io.attune.schemas.DriftAlert;
import io.attune.schemas.InferenceSample;
import io.attune.schemas.LayerParams;
import io.attune.schemas.MemoryKind;
import io.attune.schemas.MemoryUpdate;
import io.attune.schemas.NormParamsUpdate;
import io.attune.schemas.Tensor;
import io.attune.schemas.UpdateKind;
import io.attune.topology.ModelCatalog;
import io.attune.topology.processor.TrafficValidator;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;

/**
 * One adaptation step of one cohort, from buffered samples to the records to publish. This is
 * where the Avro records meet the adaptation library: samples in, {@link NormParamsUpdate}
 * (unsigned), {@link AdaptedPrediction}s and {@link DriftAlert}s out, the method state and the
 * drift monitor state as bytes on both sides.
 *
 * <p>For a model with drift monitoring ({@link ModelRegistry#drift}), the step also runs the
 * {@code source} method's forward on the same batch (one forward without backward, on the
 * inference session that keeps nothing for a backward; skipped when the cohort's method is
 * {@code source} itself), measures the batch's
 * {@link DriftSignals} and updates the cohort's {@link DriftMonitor}. The source forward (and
 * every few batches the re-calibration) runs on the stream thread's monitor thread
 * ({@link ModelRegistry#onMonitorThread}) while the method steps on the stream thread: neither
 * needs the other's result, and a step leaves cores idle that the forward can use. Its guard decides what
 * the new version carries: the adapted parameters while it allows them, otherwise the source
 * parameters ({@link UpdateKind#SOURCE}). Either way each step publishes exactly one version,
 * so versions stay 1, 2, 3, ... The predictions are the adapted model's in both cases: the
 * topic is the adapted model's output, and a reverted guard shows on the alerts topic and in
 * the update's kind.
 */
public final class CohortStepper {

  private final ModelRegistry models;

  public CohortStepper(ModelRegistry models) {
    this.models = models;
  }

  /**
   * What a step produces.
   *
   * @param state the method state to store, {@link MethodStateCodec} bytes
   * @param update the new parameters, unsigned (keyId and signature empty)
   * @param predictions one per sample, in the samples' order
   * @param diagnostics the method's diagnostics
   * @param monitorState the drift monitor state to store, {@link MonitorStateCodec} bytes;
   *     null when the model is not monitored
   * @param alerts alerts raised or resolved by this batch, in signal order
   * @param drift the cohort's drift monitor state after this batch; null when not monitored
   * @param monitorNanos wall time drift monitoring added to this step after the method's own
   *     step: waiting for the monitor thread, the signals and the monitor update; 0 when not
   *     monitored
   * @param memory the memory to publish with this version (unsigned), see
   *     {@link #memoryUpdate}; null when there is none to publish
   */
  public record Result(byte[] state, NormParamsUpdate update, List<AdaptedPrediction> predictions,
      Outputs.Diagnostics diagnostics, byte[] monitorState, List<DriftAlert> alerts,
      DriftMonitor.State drift, long monitorNanos, MemoryUpdate memory) {}

  /**
   * Adapts on a batch and predicts it.
   *
   * @param state stored method state, or null before the cohort's first step
   * @param monitorState stored drift monitor state, or null before the cohort's first
   *     monitored step
   * @param samplesBefore samples of this cohort adapted on before this batch
   * @param streamTime newest record timestamp of the batch, epoch millis
   */
  public Result step(String model, String cohort, byte[] state, byte[] monitorState,
      List<InferenceSample> samples, long samplesBefore, long streamTime) {
    ModelBundle bundle = models.bundle(model).orElseThrow(
        () -> new IllegalArgumentException("model '" + model + "' is not in the catalog"));
    ModelCatalog.Adaptation adaptation = models.catalog().model(model).orElseThrow()
        .adaptationOf(cohort);
    AdaptationMethod method = models.method(model, adaptation);
    MethodState before = state == null ? method.initialState() : MethodStateCodec.decode(state);
    Batch batch = batchOf(bundle, samples);
    Future<SourceView> source = models.drift(model).map(d -> models.onMonitorThread(
        () -> sourceView(model, adaptation, d, before, batch, monitorState))).orElse(null);
    AdaptationMethod.Step step = method.step(before, batch);
    Outputs out = step.outputs();
    long monitorStarted = System.nanoTime();
    DriftMonitor.Update drift = source == null ? null
        : monitor(models.drift(model).orElseThrow(), ModelRegistry.await(source), out);
    long monitorNanos = drift == null ? 0 : System.nanoTime() - monitorStarted;
    boolean publishAdapted = drift == null || drift.publishAdapted();
    NormParamsUpdate update = NormParamsUpdate.newBuilder()
        .setModel(model)
        .setCohort(cohort)
        .setVersion(out.version())
        .setBaseVersion(before.version())
        .setKind(out.diagnostics().reset() || !publishAdapted ? UpdateKind.SOURCE
            : UpdateKind.ADAPTED)
        .setMethod(method.name())
        .setLayers(layersOf(bundle.manifest(), publishAdapted ? out.parameters() : Map.of(),
            bundle.sourceParameters()))
        .setSamples(samplesBefore + samples.size())
        .setMeanEntropy(out.diagnostics().meanEntropy())
        .setCreatedAt(Instant.ofEpochMilli(streamTime))
        .setKeyId("")
        .setSignature(ByteBuffer.allocate(0))
        .build();
    List<DriftAlert> alerts = drift == null ? List.of() : drift.events().stream()
        .map(e -> DriftAlerts.of(model, cohort, e, out.version(), streamTime)).toList();
    return new Result(MethodStateCodec.encode(step.state()), update,
        predictionsOf(samples, out), out.diagnostics(),
        drift == null ? null : MonitorStateCodec.encode(drift.state()), alerts,
        drift == null ? null : drift.state(), monitorNanos,
        memoryUpdate(update, out, before.version() == 0, drift != null && drift.events().stream()
            .anyMatch(e -> e.signal() == Signal.ADAPTATION_HEALTH)));
  }

  /**
   * The memory record of a step, or null when there is nothing new for the edges. A method
   * with a memory (T3A's prototypes, AdaNPC's test entries) publishes it beside its parameters,
   * with the same version, but only when the step changed it ({@link Outputs.Memory#changedAt}),
   * on the cohort's first step, and when the guard switches: a memory can be half a megabyte,
   * and the compacted topic keeps the latest anyway. While the guard publishes the source
   * parameters it publishes an empty memory once: no entries tell an edge to predict with the
   * model's own head, which is the source model the guard falls back to; the adapted memory
   * goes out again when publishing resumes. A kNN memory (AdaNPC's test entries) carries the
   * method's {@code k} and temperature and the digest of the bundle's source memory that the
   * entries extend, even when empty, so that an edge votes as the method does.
   *
   * @param update the step's parameters (their kind says whether the guard allows adapted)
   * @param first whether this is the cohort's first step
   * @param guardSwitched whether the guard reverted or resumed in this step
   */
  public static MemoryUpdate memoryUpdate(NormParamsUpdate update, Outputs out, boolean first,
      boolean guardSwitched) {
    if (out.memory().isEmpty()) {
      return null;
    }
    Outputs.Memory memory = out.memory().get();
    boolean adapted = update.getKind() == UpdateKind.ADAPTED;
    boolean changed = adapted && memory.changedAt() == out.version();
    if (!first && !guardSwitched && !changed) {
      return null;
    }
    int entries = adapted ? memory.entries() : 0;
    ByteBuffer bytes = ByteBuffer.allocate(entries * memory.dim() * Float.BYTES)
        .order(ByteOrder.LITTLE_ENDIAN);
    if (adapted) {
      bytes.asFloatBuffer().put(memory.features());
    }
    List<Integer> labels = new ArrayList<>(entries);
    if (adapted) {
      for (int label : memory.labels()) {
        labels.add(label);
      }
    }
    MemoryUpdate.Builder record = MemoryUpdate.newBuilder();
    memory.vote().ifPresent(vote -> record.setK(vote.k()).setTemperature(vote.temperature())
        .setSourceMemorySha256(vote.sourceMemorySha256()));
    return record
        .setModel(update.getModel())
        .setCohort(update.getCohort())
        .setVersion(update.getVersion())
        .setKind(memory.kind() == Outputs.Memory.Kind.PROTOTYPES ? MemoryKind.PROTOTYPES
            : MemoryKind.KNN)
        .setMethod(update.getMethod())
        .setFeatures(Tensor.newBuilder().setDtype(DType.FLOAT32)
            .setShape(List.of(entries, memory.dim())).setData(bytes).build())
        .setLabels(labels)
        .setCreatedAt(update.getCreatedAt())
        .setKeyId("")
        .setSignature(ByteBuffer.allocate(0))
        .build();
  }

  /**
   * What monitoring needs besides the method's own outputs, computed on the monitor thread
   * while the method steps: the source model's outputs on the batch, the monitor state, and,
   * every few batches, the adapted model's confidence calibration.
   *
   * @param calibration NaN when this batch does not re-calibrate
   */
  private record SourceView(Outputs source, DriftMonitor.State state, double calibration) {}

  /**
   * Runs on the monitor thread, with its own sessions. The source model keeps no state, so its
   * forward starts from the source every time. The calibration is measured in the state that
   * predicts this batch ({@code before}), so it is the same whether the step has run yet or
   * not. For the {@code source} method itself, its forward is the method's, so none is run here.
   */
  private SourceView sourceView(String model, ModelCatalog.Adaptation adaptation,
      ModelRegistry.Drift d, MethodState before, Batch batch, byte[] monitorState) {
    DriftMonitor.State s = monitorState == null ? d.monitor().initialState()
        : MonitorStateCodec.decode(monitorState);
    Outputs sourceOut = null;
    if (!adaptation.method().equals("source")) {
      AdaptationMethod source = models.method(model, "source");
      sourceOut = source.step(source.initialState(), batch).outputs();
    }
    double calibration = d.monitor().recalibrates(s)
        ? d.calibration().measure(models.method(model, adaptation), before) : Double.NaN;
    return new SourceView(sourceOut, s, calibration);
  }

  /** The cohort's drift monitor after this batch, from the step's and the source's outputs. */
  private static DriftMonitor.Update monitor(ModelRegistry.Drift d, SourceView view,
      Outputs out) {
    Outputs sourceOut = view.source() == null ? out : view.source();
    return d.monitor().update(view.state(), DriftSignals.measure(out, sourceOut, d.reference()),
        view.calibration());
  }

  private static Batch batchOf(ModelBundle bundle, List<InferenceSample> samples) {
    BundleManifest manifest = bundle.manifest();
    int sampleSize = manifest.inputShape().stream().mapToInt(Integer::intValue)
        .reduce(1, (a, b) -> a * b);
    float[] inputs = new float[samples.size() * sampleSize];
    for (int i = 0; i < samples.size(); i++) {
      float[] x = TrafficValidator.toModelInput(samples.get(i),
          pixels -> manifest.preprocess(pixels, 1));
      System.arraycopy(x, 0, inputs, i * sampleSize, sampleSize);
    }
    return new Batch(inputs, samples.size());
  }

  private static List<LayerParams> layersOf(BundleManifest manifest,
      Map<String, float[]> params, Map<String, float[]> source) {
    List<LayerParams> layers = new ArrayList<>(manifest.layers().size());
    for (BundleManifest.Layer l : manifest.layers()) {
      layers.add(LayerParams.newBuilder()
          .setLayer(l.node())
          .setScale(vector(params.getOrDefault(l.scale(), source.get(l.scale()))))
          .setBias(vector(params.getOrDefault(l.bias(), source.get(l.bias()))))
          .setMean(vector(params.getOrDefault(l.mean(), source.get(l.mean()))))
          .setVar(vector(params.getOrDefault(l.var(), source.get(l.var()))))
          .build());
    }
    return layers;
  }

  /** A float vector as a FLOAT32 tensor of shape {@code [length]}. */
  public static Tensor vector(float[] values) {
    ByteBuffer bytes = ByteBuffer.allocate(values.length * Float.BYTES)
        .order(ByteOrder.LITTLE_ENDIAN);
    bytes.asFloatBuffer().put(values);
    return Tensor.newBuilder().setDtype(DType.FLOAT32).setShape(List.of(values.length))
        .setData(bytes).build();
  }

  private static List<AdaptedPrediction> predictionsOf(List<InferenceSample> samples,
      Outputs out) {
    int classes = out.classes();
    float[] probs = out.probabilities();
    List<AdaptedPrediction> predictions = new ArrayList<>(samples.size());
    for (int i = 0; i < samples.size(); i++) {
      InferenceSample s = samples.get(i);
      List<Float> row = new ArrayList<>(classes);
      int best = 0;
      double entropy = 0;
      for (int c = 0; c < classes; c++) {
        float p = probs[i * classes + c];
        row.add(p);
        if (p > probs[i * classes + best]) {
          best = c;
        }
        if (p > 0) {
          entropy -= p * Math.log(p);
        }
      }
      predictions.add(AdaptedPrediction.newBuilder()
          .setModel(s.getModel())
          .setCohort(s.getCohort())
          .setSampleId(s.getSampleId())
          .setDevice(s.getDevice())
          .setParamsVersion(out.version())
          .setPredictedClass(best)
          .setProbabilities(row)
          .setEntropy((float) entropy)
          .setLabel(s.getLabel())
          .build());
    }
    return predictions;
  }
}
