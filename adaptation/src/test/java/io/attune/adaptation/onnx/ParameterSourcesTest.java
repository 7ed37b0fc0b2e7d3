package io.attune.adaptation.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import io.attune.adaptation.onnx.internal.Attrs;
import io.attune.adaptation.onnx.internal.Graph;
import io.attune.adaptation.onnx.internal.ModelAnalysis;
import io.attune.adaptation.runtime.AdaptationStep;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Exporters store normalization parameters in more than one way; each is found and becomes an
 * input of the generated graphs.
 */
class ParameterSourcesTest {

  private static final long[] SAMPLE = {1, 8, 8};

  @Test
  void aModelExportedWithAFixedBatchSizeIsAdaptedAtThatSize() {
    ModelProto tiny = TinyModels.convBnNet(13);
    GraphProto.Builder g = tiny.getGraph().toBuilder();
    g.setInput(0, Graph.floatValue("input", 4, 1, 8, 8));
    g.setOutput(0, Graph.floatValue("logits", 4, 3));
    ModelAnalysis analysis = ModelAnalysis.of(tiny.toBuilder().setGraph(g).build(), SAMPLE);

    assertThat(analysis.shapes().fixedBatch()).isEqualTo(4);
    try (AdaptationStep step = new AdaptationStep(analysis, SAMPLE, 1);
        AdaptationStep.Forward fwd = step.forward(new float[4 * 64], 4, Map.of(), 0f)) {
      Map<String, float[]> grads = step.backward(fwd, new float[4 * 3], null);
      assertThat(grads.get("bn2.weight")).hasSize(6);
    }
  }

  @Test
  void parametersHeldByConstantNodesAndIdentityCopiesAreAdaptable() {
    ModelProto tiny = TinyModels.convBnNet(13);
    GraphProto.Builder g = tiny.getGraph().toBuilder();
    TensorProto bias = g.getInitializerList().stream()
        .filter(t -> t.getName().equals("bn1.bias")).findFirst().orElseThrow();
    TensorProto mean = g.getInitializerList().stream()
        .filter(t -> t.getName().equals("bn2.running_mean")).findFirst().orElseThrow();
    List<TensorProto> kept = g.getInitializerList().stream()
        .filter(t -> t != bias && t != mean).toList();
    g.clearInitializer().addAllInitializer(kept)
        .addInitializer(bias.toBuilder().setName("shared_bias"));
    // bn1.bias as an Identity of another initializer (PyTorch's dedup), bn2's mean as a Constant.
    g.addNode(0, Graph.node("Identity", "dedup", List.of("shared_bias"), List.of("bn1.bias")));
    g.addNode(0, Graph.node("Constant", "const_mean", List.of(), List.of("bn2.running_mean"),
        Attrs.tensor("value", mean.toBuilder().clearName().build())));
    ModelProto model = tiny.toBuilder().setGraph(g).build();

    ModelAnalysis analysis = ModelAnalysis.of(model, SAMPLE);

    assertThat(analysis.norms()).hasSize(2);
    assertThat(analysis.sourceParameters().get("bn1.bias")).hasSize(4);
    try (AdaptationStep step = new AdaptationStep(analysis, SAMPLE, 1);
        AdaptationStep.Forward fwd = step.forward(new float[2 * 64], 2,
            Map.of("bn1.bias", new float[] {1, 2, 3, 4}), 1f)) {
      assertThat(fwd.logits()).hasSize(2 * 3);
    }
    List<NodeProto> nodes = AdaptationStep.StepGraphs.of(analysis, SAMPLE).forward().getGraph()
        .getNodeList();
    assertThat(nodes).noneMatch(n -> n.getOutputList().contains("bn1.bias"))
        .noneMatch(n -> n.getOutputList().contains("bn2.running_mean"));
  }
}
