package io.attune.topology.adapt;

import io.attune.adaptation.bundle.BundleManifest;
import io.attune.adaptation.bundle.ModelBundle;
import io.attune.adaptation.method.AdaptationMethod;
import io.attune.adaptation.method.Batch;
import io.attune.adaptation.method.MethodState;
import io.attune.adaptation.method.MethodStateCodec;
import io.attune.adaptation.method.Outputs;
import io.attune.schemas.AdaptedPrediction;
import io.attune.schemas.DType;
import io.attune.schemas.InferenceSample;
import io.attune.schemas.LayerParams;
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

/**
 * One adaptation step of one cohort, from buffered samples to the records to publish. This is
 * where the Avro records meet the adaptation library: samples in, {@link NormParamsUpdate}
 * (unsigned) and {@link AdaptedPrediction}s out, the method state as bytes on both sides.
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
   */
  public record Result(byte[] state, NormParamsUpdate update, List<AdaptedPrediction> predictions,
      Outputs.Diagnostics diagnostics) {}

  /**
   * Adapts on a batch and predicts it.
   *
   * @param state stored method state, or null before the cohort's first step
   * @param samplesBefore samples of this cohort adapted on before this batch
   * @param streamTime newest record timestamp of the batch, epoch millis
   */
  public Result step(String model, String cohort, byte[] state, List<InferenceSample> samples,
      long samplesBefore, long streamTime) {
    ModelBundle bundle = models.bundle(model).orElseThrow(
        () -> new IllegalArgumentException("model '" + model + "' is not in the catalog"));
    ModelCatalog.Adaptation adaptation = models.catalog().model(model).orElseThrow()
        .adaptationOf(cohort);
    AdaptationMethod method = models.method(model, adaptation);
    MethodState before = state == null ? method.initialState() : MethodStateCodec.decode(state);
    AdaptationMethod.Step step = method.step(before, batchOf(bundle, samples));
    Outputs out = step.outputs();
    NormParamsUpdate update = NormParamsUpdate.newBuilder()
        .setModel(model)
        .setCohort(cohort)
        .setVersion(out.version())
        .setBaseVersion(before.version())
        .setKind(out.diagnostics().reset() ? UpdateKind.SOURCE : UpdateKind.ADAPTED)
        .setMethod(method.name())
        .setLayers(layersOf(bundle.manifest(), out.parameters(), bundle.sourceParameters()))
        .setSamples(samplesBefore + samples.size())
        .setMeanEntropy(out.diagnostics().meanEntropy())
        .setCreatedAt(Instant.ofEpochMilli(streamTime))
        .setKeyId("")
        .setSignature(ByteBuffer.allocate(0))
        .build();
    return new Result(MethodStateCodec.encode(step.state()), update,
        predictionsOf(samples, out), out.diagnostics());
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
