package io.attune.adaptation.bundle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.attune.adaptation.model.InvalidModelException;
import io.attune.adaptation.onnx.OnnxModels;
import io.attune.adaptation.onnx.TinyModels;
import io.attune.adaptation.onnx.internal.EdgeGraph;
import io.attune.adaptation.runtime.AdaptationStep;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelPreparationTest {

  private static final int BATCH = 5;

  @TempDir
  Path dir;

  private ModelBundle prepareTiny() throws Exception {
    Path model = dir.resolve("tiny.onnx");
    OnnxModels.write(TinyModels.convBnNet(13), model);
    return ModelPreparation.prepare(new ModelPreparation.Options(model, dir.resolve("bundle"),
        null, null, null, null, null));
  }

  private static float[] input() {
    Random random = new Random(11);
    float[] x = new float[BATCH * 64];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) random.nextGaussian();
    }
    return x;
  }

  @Test
  void manifestListsTheLayersWithTheirSourceParameters() throws Exception {
    BundleManifest m = prepareTiny().manifest();

    assertThat(m.layers()).extracting(BundleManifest.Layer::scale)
        .containsExactly("bn1.weight", "bn2.weight");
    assertThat(m.layers()).extracting(BundleManifest.Layer::channels).containsExactly(4, 6);
    assertThat(m.parameterCount()).isEqualTo(2 * (4 + 6));
    assertThat(m.head().classes()).isEqualTo(3);
    assertThat(m.head().dim()).isEqualTo(6);
    assertThat(m.inputShape()).containsExactly(1, 8, 8);
    assertThat(ModelBundle.open(dir.resolve("bundle")).sourceParameters()).hasSize(8);
  }

  @Test
  void atAlphaOneTheAdaptationForwardAndTheEdgeGraphReproduceTheSourceModel() throws Exception {
    ModelBundle bundle = prepareTiny();
    float[] x = input();
    float[] original = run(OnnxModels.read(dir.resolve("tiny.onnx")), x, Map.of(), "logits");
    float[] edge = run(OnnxModels.read(bundle.edgeGraph()), x, bundle.sourceParameters(),
        EdgeGraph.LOGITS);
    float[] adapted;
    try (AdaptationStep step = bundle.openStep(1);
        AdaptationStep.Forward fwd = step.forward(x, BATCH, Map.of(), 1f)) {
      adapted = fwd.logits();
    }

    for (int i = 0; i < original.length; i++) {
      assertThat(edge[i]).isCloseTo(original[i], within(1e-4f));
      assertThat(adapted[i]).isCloseTo(original[i], within(1e-4f));
    }
  }

  @Test
  void edgeGraphFollowsTheParametersItIsFed() throws Exception {
    ModelBundle bundle = prepareTiny();
    float[] x = input();
    Map<String, float[]> params = new HashMap<>(bundle.sourceParameters());
    float[] source = run(OnnxModels.read(bundle.edgeGraph()), x, params, EdgeGraph.LOGITS);
    params.put("bn2.bias", new float[] {1, -1, 0.5f, 0, 2, -2});
    float[] changed = run(OnnxModels.read(bundle.edgeGraph()), x, params, EdgeGraph.LOGITS);

    assertThat(changed).isNotEqualTo(source);
  }

  @Test
  void withOneThreadAStepIsBitIdenticalAcrossRuns() throws Exception {
    ModelBundle bundle = prepareTiny();
    float[] x = input();
    float[][] logits = new float[2][];
    Map<String, float[]>[] grads = new Map[2];
    for (int run = 0; run < 2; run++) {
      try (AdaptationStep step = bundle.openStep(1);
          AdaptationStep.Forward fwd = step.forward(x, BATCH, Map.of(), 0f)) {
        logits[run] = fwd.logits();
        float[] g = new float[BATCH * 3];
        java.util.Arrays.fill(g, 0.1f);
        grads[run] = step.backward(fwd, g, null);
      }
    }
    assertThat(logits[1]).containsExactly(logits[0]);
    for (String k : grads[0].keySet()) {
      assertThat(grads[1].get(k)).as(k).containsExactly(grads[0].get(k));
    }
  }

  @Test
  void aModelWithoutBatchNormalizationIsRefusedSayingWhatToDo() throws Exception {
    ModelProto tiny = TinyModels.convBnNet(13);
    // Fold nothing, just drop the BN nodes: what an eval-mode export leaves.
    ModelProto noBn = tiny.toBuilder().setGraph(tiny.getGraph().toBuilder().clearNode()
        .addAllNode(tiny.getGraph().getNodeList().stream().map(n ->
            n.getOpType().equals("BatchNormalization")
                ? io.attune.adaptation.onnx.internal.Graph.node("Identity", n.getName(),
                    java.util.List.of(n.getInput(0)), n.getOutputList())
                : n).toList())).build();
    Path model = dir.resolve("folded.onnx");
    OnnxModels.write(noBn, model);

    assertThatThrownBy(() -> ModelPreparation.prepare(new ModelPreparation.Options(model,
        dir.resolve("b"), null, null, null, null, null)))
        .isInstanceOf(InvalidModelException.class)
        .hasMessageContaining("has no BatchNormalization layer")
        .hasMessageContaining("pass --calibration");
  }

  @Test
  void aModelThatNormalizesOtherwiseThanWithBatchNormalizationIsRefusedNamingTheNode()
      throws Exception {
    ModelProto tiny = TinyModels.convBnNet(13);
    ModelProto instanceNorm = tiny.toBuilder().setGraph(tiny.getGraph().toBuilder().clearNode()
        .addAllNode(tiny.getGraph().getNodeList().stream().map(n ->
            n.getOpType().equals("BatchNormalization")
                ? io.attune.adaptation.onnx.internal.Graph.node("InstanceNormalization",
                    n.getName(), n.getInputList().subList(0, 3), n.getOutputList())
                : n).toList())).build();
    Path model = dir.resolve("instance-norm.onnx");
    OnnxModels.write(instanceNorm, model);

    assertThatThrownBy(() -> ModelPreparation.prepare(new ModelPreparation.Options(model,
        dir.resolve("i"), null, null, null, null, null)))
        .isInstanceOf(InvalidModelException.class)
        .hasMessageContaining("normalizes with InstanceNormalization node 'bn1' and 1 more")
        .hasMessageContaining("adapts BatchNormalization layers only");
  }

  @Test
  void aFoldedModelWithAFixedBatchIsCalibratedInBatchesOfThatSize() throws Exception {
    ModelProto folded = FoldedModels.fold(TinyModels.convBnNet(13));
    var g = folded.getGraph().toBuilder();
    g.setInput(0, io.attune.adaptation.onnx.internal.Graph.floatValue("input", BATCH, 1, 8, 8));
    g.setOutput(0, io.attune.adaptation.onnx.internal.Graph.floatValue("logits", BATCH, 3));
    Path model = dir.resolve("fixed.onnx");
    OnnxModels.write(folded.toBuilder().setGraph(g).build(), model);
    Path enough = dir.resolve("enough.npy");
    io.attune.adaptation.data.NpyWriter.write(enough, new io.attune.adaptation.data.FloatData(
        io.attune.adaptation.data.Shape.of(2 * BATCH + 2, 1, 8, 8), gaussian((2 * BATCH + 2) * 64,
            8)));
    Path tooFew = dir.resolve("few.npy");
    io.attune.adaptation.data.NpyWriter.write(tooFew, new io.attune.adaptation.data.FloatData(
        io.attune.adaptation.data.Shape.of(BATCH - 1, 1, 8, 8), gaussian((BATCH - 1) * 64, 9)));

    ModelBundle bundle = ModelPreparation.prepare(new ModelPreparation.Options(model,
        dir.resolve("f"), null, null, null, enough, null));

    assertThat(bundle.manifest().layers()).hasSize(2);
    assertThat(bundle.manifest().fixedBatch()).isEqualTo(BATCH);
    assertThatThrownBy(() -> ModelPreparation.prepare(new ModelPreparation.Options(model,
        dir.resolve("g"), null, null, null, tooFew, null)))
        .isInstanceOf(io.attune.adaptation.data.MalformedDataException.class)
        .hasMessageContaining("runs batches of " + BATCH + " images only");
  }

  @Test
  void aPartlyFoldedModelGetsCalibratedLayersWhereItsBatchNormalizationWasFolded()
      throws Exception {
    // conv1's BN folded away (conv1 feeds its Relu directly), conv2's BN kept.
    ModelProto tiny = TinyModels.convBnNet(13);
    ModelProto partly = tiny.toBuilder().setGraph(tiny.getGraph().toBuilder().clearNode()
        .addAllNode(tiny.getGraph().getNodeList().stream()
            .filter(n -> !n.getName().equals("bn1"))
            .map(n -> n.getName().equals("relu1") ? n.toBuilder().setInput(0, "c1").build() : n)
            .toList())).build();
    Path model = dir.resolve("partly.onnx");
    OnnxModels.write(partly, model);
    Path calibration = dir.resolve("calibration.npy");
    io.attune.adaptation.data.NpyWriter.write(calibration, new io.attune.adaptation.data.FloatData(
        io.attune.adaptation.data.Shape.of(40, 1, 8, 8), gaussian(40 * 64, 11)));

    ModelBundle without = ModelPreparation.prepare(new ModelPreparation.Options(model,
        dir.resolve("p0"), null, null, null, null, null));
    ModelBundle with = ModelPreparation.prepare(new ModelPreparation.Options(model,
        dir.resolve("p1"), null, null, null, calibration, null));

    assertThat(without.manifest().layers()).extracting(BundleManifest.Layer::scale)
        .containsExactly("bn2.weight");
    assertThat(with.manifest().layers()).extracting(BundleManifest.Layer::scale)
        .containsExactly("conv1.attune_norm.weight", "bn2.weight");
    float[] x = input();
    float[] original = run(partly, x, Map.of(), "logits");
    try (AdaptationStep step = with.openStep(1);
        AdaptationStep.Forward fwd = step.forward(x, BATCH, Map.of(), 1f)) {
      float[] adapted = fwd.logits();
      for (int i = 0; i < original.length; i++) {
        assertThat(adapted[i]).isCloseTo(original[i], within(1e-4f));
      }
    }
  }

  @Test
  void anOpWithoutAGradientRuleIsRefusedNamingTheOpAndTheNode() throws Exception {
    ModelProto tiny = TinyModels.convBnNet(13);
    ModelProto softsign = tiny.toBuilder().setGraph(tiny.getGraph().toBuilder().clearNode()
        .addAllNode(tiny.getGraph().getNodeList().stream().map(n -> n.getOpType().equals("Relu")
            ? n.toBuilder().setOpType("Softsign").build() : n).toList())).build();
    Path model = dir.resolve("softsign.onnx");
    OnnxModels.write(softsign, model);

    assertThatThrownBy(() -> ModelPreparation.prepare(new ModelPreparation.Options(model,
        dir.resolve("s"), null, null, null, null, null)))
        .isInstanceOf(InvalidModelException.class)
        .hasMessage("cannot differentiate Softsign node 'relu1': op Softsign is not supported "
            + "between normalization layers and the logits");
  }

  @Test
  void aFoldedModelGetsCalibratedNormalizationThatLeavesItUnchanged() throws Exception {
    Path folded = dir.resolve("folded.onnx");
    OnnxModels.write(FoldedModels.fold(TinyModels.convBnNet(13)), folded);
    assertThat(OnnxModels.read(folded).getGraph().getNodeList())
        .noneMatch(n -> n.getOpType().equals("BatchNormalization"));
    Path calibration = dir.resolve("calibration.npy");
    io.attune.adaptation.data.NpyWriter.write(calibration, new io.attune.adaptation.data.FloatData(
        io.attune.adaptation.data.Shape.of(200, 1, 8, 8), gaussian(200 * 64, 5)));

    ModelBundle bundle = ModelPreparation.prepare(new ModelPreparation.Options(folded,
        dir.resolve("b"), null, null, null, calibration, null));

    assertThat(bundle.manifest().insertedNormalization()).isTrue();
    // conv1 feeds Relu and conv2 feeds Clip: both get a layer.
    assertThat(bundle.manifest().layers()).hasSize(2);
    float[] x = input();
    float[] original = run(OnnxModels.read(folded), x, Map.of(), "logits");
    float[] edge = run(OnnxModels.read(bundle.edgeGraph()), x, bundle.sourceParameters(),
        EdgeGraph.LOGITS);
    try (AdaptationStep step = bundle.openStep(1);
        AdaptationStep.Forward fwd = step.forward(x, BATCH, Map.of(), 1f)) {
      float[] adapted = fwd.logits();
      for (int i = 0; i < original.length; i++) {
        assertThat(edge[i]).isCloseTo(original[i], within(1e-4f));
        assertThat(adapted[i]).isCloseTo(original[i], within(1e-4f));
      }
    }
  }

  private static float[] gaussian(int n, long seed) {
    Random random = new Random(seed);
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = (float) random.nextGaussian();
    }
    return x;
  }

  private static float[] run(ModelProto model, float[] x, Map<String, float[]> params,
      String output) throws Exception {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OrtSession.SessionOptions o = new OrtSession.SessionOptions();
        OrtSession session = env.createSession(model.toByteArray(), o)) {
      Map<String, OnnxTensor> feed = new HashMap<>();
      feed.put("input", OnnxTensor.createTensor(env, FloatBuffer.wrap(x),
          new long[] {BATCH, 1, 8, 8}));
      for (Map.Entry<String, float[]> p : params.entrySet()) {
        feed.put(p.getKey(), OnnxTensor.createTensor(env, FloatBuffer.wrap(p.getValue()),
            new long[] {p.getValue().length}));
      }
      try (OrtSession.Result r = session.run(feed)) {
        FloatBuffer b = ((OnnxTensor) r.get(output).orElseThrow()).getFloatBuffer();
        float[] out = new float[b.remaining()];
        b.get(out);
        return out;
      } finally {
        feed.values().forEach(OnnxTensor::close);
      }
    }
  }
}
