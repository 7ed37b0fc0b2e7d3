package io.attune.adaptation.method.safety;

import io.attune.adaptation.bundle.BundleManifest;
import io.attune.adaptation.method.AdaptationMethod;
import io.attune.adaptation.method.Batch;
import io.attune.adaptation.method.MethodState;
import io.attune.adaptation.method.Outputs;
import io.attune.adaptation.method.ParameterLayout;
import io.attune.adaptation.method.optim.Optimizer.OptimizerState;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongFunction;

/**
 * A gradient method without a model: each step adds 1 to every scale and bias and counts its
 * steps in an extra, and predicts what {@code predictions} gives for the new version, so that
 * wrappers can be tested on prediction streams made by hand.
 */
final class StubMethod implements AdaptationMethod {

  static final int CLASSES = 10;
  static final String STEPS = "stub.steps";
  static final ParameterLayout LAYOUT = new ParameterLayout(List.of(
      layer(0, "a", 2, new float[] {1, 2}, new float[] {0.1f, 0.2f}),
      layer(1, "b", 1, new float[] {3}, new float[] {0.3f})));

  private final LongFunction<float[]> predictions;
  final List<Map<String, float[]>> extrasSeen = new ArrayList<>();

  /** @param predictions version to probabilities {@code [N, 10]} */
  StubMethod(LongFunction<float[]> predictions) {
    this.predictions = predictions;
  }

  @Override
  public String name() {
    return "stub";
  }

  @Override
  public MethodState initialState() {
    return new MethodState(0, LAYOUT.sourceAffine(), LAYOUT.sourceMeans(), LAYOUT.sourceVars(),
        new OptimizerState(new float[6], new float[0], 0), Map.of(STEPS, new float[] {0}));
  }

  @Override
  public Step step(MethodState state, Batch batch) {
    extrasSeen.add(state.extras());
    float[] affine = state.affine();
    for (int i = 0; i < affine.length; i++) {
      affine[i] += 1;
    }
    Map<String, float[]> extras = new HashMap<>(state.extras());
    extras.put(STEPS, new float[] {state.extra(STEPS)[0] + 1});
    long version = state.version() + 1;
    MethodState next = new MethodState(version, affine, state.means(), state.vars(),
        new OptimizerState(affine, new float[0], state.optimizer().steps() + 1), extras);
    float[] p = predictions.apply(version);
    int n = p.length / CLASSES;
    return new Step(next, new Outputs(p, CLASSES, version,
        LAYOUT.named(affine, next.means(), next.vars()),
        new Outputs.Diagnostics(n, n, meanEntropy(p, n), false)));
  }

  static Batch batch(int n) {
    return new Batch(new float[n], n);
  }

  /** {@code n} rows, each {@code confidence} on {@code classOf(row)} and the rest spread. */
  static float[] rows(int n, float confidence, java.util.function.IntUnaryOperator classOf) {
    float[] p = new float[n * CLASSES];
    for (int r = 0; r < n; r++) {
      for (int c = 0; c < CLASSES; c++) {
        p[r * CLASSES + c] = (1 - confidence) / (CLASSES - 1);
      }
      p[r * CLASSES + classOf.applyAsInt(r)] = confidence;
    }
    return p;
  }

  private static float meanEntropy(float[] p, int n) {
    double s = 0;
    for (float v : p) {
      if (v > 0) {
        s -= v * Math.log(v);
      }
    }
    return (float) (s / n);
  }

  private static BundleManifest.Layer layer(int index, String name, int channels, float[] scale,
      float[] bias) {
    return new BundleManifest.Layer(index, name, name + ".in", name + ".weight", name + ".bias",
        name + ".running_mean", name + ".running_var", channels, 1e-5f, scale, bias,
        new float[channels], new float[channels]);
  }
}
