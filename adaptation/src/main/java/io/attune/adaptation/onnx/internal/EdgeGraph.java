package io.attune.adaptation.onnx.internal;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import java.util.List;

/**
 * The graph edges run forward-only: the original model, unchanged, with every normalization
 * layer's scale, bias, mean and variance turned into graph inputs named like the source
 * initializers, and the penultimate features as a second output. Edges feed the newest
 * published parameters on each call, or the source values from the bundle's manifest.
 *
 * <p>The parameters are plain inputs rather than initializers listed as inputs (ONNX's way of
 * giving an input a default) because ONNX Runtime's Java API cannot feed such inputs.
 */
public final class EdgeGraph {

  public static final String LOGITS = AdaptationGraphs.LOGITS;
  public static final String FEATURES = AdaptationGraphs.FEATURES;

  private EdgeGraph() {}

  public static ModelProto build(ModelAnalysis analysis) {
    GraphProto.Builder g = analysis.withParametersAsInputs(analysis.graph().nodes());
    g.addNode(Graph.node("Identity", LOGITS, List.of(analysis.head().logits()),
        List.of(LOGITS)));
    g.addNode(Graph.node("Identity", FEATURES, List.of(analysis.head().features()),
        List.of(FEATURES)));
    g.addOutput(ValueInfoProto.newBuilder().setName(LOGITS));
    g.addOutput(ValueInfoProto.newBuilder().setName(FEATURES));
    return analysis.model().toBuilder().setGraph(g).build();
  }
}
