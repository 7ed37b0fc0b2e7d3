package io.attune.adaptation.method;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.attune.adaptation.bundle.ModelBundle;
import io.attune.adaptation.bundle.ModelPreparation;
import io.attune.adaptation.eval.StreamEvaluation;
import io.attune.adaptation.method.optim.Adam;
import io.attune.adaptation.method.optim.Sgd;
import io.attune.adaptation.method.safety.OpenSetFilter;
import io.attune.adaptation.model.InvalidModelException;
import io.attune.adaptation.model.ModelCard;
import io.attune.adaptation.runtime.AdaptationStep;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * EATA, SAR and the safety variants on the reference model: the method contract (label-blind,
 * resumable bit for bit) and what each filter does to a real step.
 */
class EntropyFilterMethodsTest {

  private static final int BATCH = 32;
  private static final int BATCHES = 6;
  private static final int CLASSES = 10;

  @TempDir
  static Path dir;

  private static ModelBundle bundle;
  private static AdaptationStep sessions;
  private static ParameterLayout layout;
  private static List<StreamEvaluation.LabelledBatch> stream;
  private static final Map<String, AdaptationMethod> METHODS = new HashMap<>();

  @BeforeAll
  static void prepare() {
    bundle = ReferenceStreams.bundle(dir.resolve("bundle"));
    sessions = bundle.openStep(1);
    layout = new ParameterLayout(bundle.manifest().layers());
    stream = ReferenceStreams.noisy(BATCHES, BATCH, 50, 9);
  }

  @AfterAll
  static void close() {
    sessions.close();
  }

  @ParameterizedTest
  @ValueSource(strings = {"eata", "sar", "tent+openset", "tent+guard"})
  void versionsCountUpAndTheAdaptedParametersArePublishedByName(String name) {
    AdaptationMethod method = create(name);
    MethodState state = method.initialState();
    for (int b = 0; b < 3; b++) {
      AdaptationMethod.Step step = method.step(state, batch(b));
      state = step.state();
      assertThat(step.outputs().version()).isEqualTo(b + 1);
      assertThat(step.outputs().parameters()).hasSize(4 * 9);
      assertThat(step.outputs().parameters().get("stem_bn.weight"))
          .containsExactly(Arrays.copyOfRange(state.affine(), 0,
              layout.layers().get(0).channels()));
    }
    assertThat(state.affine()).isNotEqualTo(layout.sourceAffine());
  }

  @ParameterizedTest
  @ValueSource(strings = {"eata", "sar", "tent+openset"})
  void theFirstBatchIsPredictedWithTheSourceParametersAndBatchStatisticsLikeNorm(String name) {
    float[] norm = create("norm").step(create("norm").initialState(), batch(0)).outputs()
        .probabilities();

    assertThat(create(name).step(create(name).initialState(), batch(0)).outputs()
        .probabilities()).containsExactly(norm);
  }

  @Test
  void eataSelectsTheReliableSamplesThenKeepsTheirMeanProbabilityAsItsMovingAverage() {
    AdaptationMethod eata = create("eata");
    AdaptationMethod.Step first = eata.step(eata.initialState(), batch(0));
    float[] h = Entropy.perSample(normLogits(0), BATCH, CLASSES);
    boolean[] reliable = SampleSelection.reliable(h, (float) (0.4 * Math.log(10)), all(BATCH));
    AdaptationMethod.Step second = eata.step(first.state(), batch(1));

    assertThat(first.outputs().diagnostics().samplesUsed())
        .isEqualTo(SampleSelection.count(reliable)).isBetween(1, BATCH - 1);
    assertThat(first.state().extra(Eata.AVERAGE)).containsExactly(SampleSelection.updateAverage(
        null, first.outputs().probabilities(), CLASSES, reliable), within(1e-6f));
    assertThat(second.outputs().diagnostics().samplesUsed()).isLessThan(BATCH);
    assertThat(second.state().optimizer().steps()).isEqualTo(2);
  }

  @Test
  void eataTakesNoStepWhenNoSampleIsReliable() {
    Eata.Config d = Eata.Config.defaults(CLASSES);
    Eata eata = Eata.withoutRegularizer(sessions, layout, CLASSES, new Eata.Config(d.optimizer(),
        1e-6f, d.redundancyMargin(), 0f, 64, 0.1f), SampleMask.all());

    AdaptationMethod.Step step = eata.step(eata.initialState(), batch(0));

    assertThat(step.outputs().diagnostics().samplesUsed()).isZero();
    assertThat(step.state().affine()).containsExactly(layout.sourceAffine());
    assertThat(step.state().optimizer().steps()).isZero();
    assertThat(step.state().extras()).doesNotContainKey(Eata.AVERAGE);
    assertThat(step.outputs().version()).isEqualTo(1);
  }

  @Test
  void theFisherInformationIsAFixedNonNegativeImportancePerParameter() {
    Eata a = (Eata) create("eata");
    Eata b = (Eata) Methods.create("eata", bundle, sessions);

    assertThat(a.fisher()).hasSize(layout.affineSize()).containsExactly(b.fisher());
    for (float f : a.fisher()) {
      assertThat(f).isFinite().isGreaterThanOrEqualTo(0f);
    }
    assertThat(max(a.fisher())).isPositive();
    assertThat(((Eata) create("eta")).fisher()).containsOnly(0f);
  }

  @Test
  void theFisherRegularizerHoldsTheParametersNearerTheSource() {
    // At the official lr the parameters move so little in six batches that the pull, which
    // grows with the distance, hardly shows; a larger step makes it visible.
    Eata.Config d = Eata.Config.defaults(CLASSES);
    Sgd faster = new Sgd(0.005f, 0.9f, 0f, 0f, false);
    SourceImages images = SourceImages.load(bundle, "test");
    Eata free = new Eata(sessions, layout, CLASSES, new Eata.Config(faster, d.entropyMargin(),
        d.redundancyMargin(), 0f, 64, 0.1f), images, SampleMask.all());
    Eata held = new Eata(sessions, layout, CLASSES, new Eata.Config(faster, d.entropyMargin(),
        d.redundancyMargin(), 1e5f, 64, 0.1f), images, SampleMask.all());

    assertThat(distanceFromSource(held)).isLessThan(0.8 * distanceFromSource(free));
  }

  @Test
  void withTheDefaultsTheFisherTermActsSoEataIsNotEta() {
    // With the paper's CIFAR-10 beta = 1 the term was too weak to change one prediction of
    // the clean test split; the official 2000 holds EATA nearer the source (slightly, in six
    // batches at lr 0.00025: the pull grows with the distance travelled).
    assertThat(distanceFromSource(create("eata"))).isLessThan(distanceFromSource(create("eta")));
  }

  @Test
  void sarRecoversTheSourceParametersAndOptimizerWhenItsMovingLossFallsBelowTheConstant() {
    Sar.Config d = Sar.Config.defaults(CLASSES);
    Sar sar = new Sar(sessions, layout, CLASSES, new Sar.Config(d.optimizer(), d.entropyMargin(),
        d.rho(), 100f, d.frozenModules(), 0.1f), SampleMask.all());
    Sar never = new Sar(sessions, layout, CLASSES, new Sar.Config(d.optimizer(),
        d.entropyMargin(), d.rho(), 0f, d.frozenModules(), 0.1f), SampleMask.all());

    AdaptationMethod.Step step = sar.step(sar.initialState(), batch(0));
    AdaptationMethod.Step kept = never.step(never.initialState(), batch(0));

    assertThat(step.outputs().diagnostics().reset()).isTrue();
    assertThat(step.state().affine()).containsExactly(layout.sourceAffine());
    assertThat(step.state().optimizer().steps()).isZero();
    // As the official SAR.forward: the moving loss survives the recovery.
    assertThat(step.state().extra(Sar.EMA)).containsExactly(kept.state().extra(Sar.EMA));
    assertThat(step.state().extra(Sar.EMA)[0]).isBetween(0f, d.entropyMargin());
    assertThat(kept.outputs().diagnostics().reset()).isFalse();
    assertThat(kept.state().affine()).isNotEqualTo(layout.sourceAffine());
  }

  @Test
  void sarLeavesFrozenModulesAtTheirSourceValues() {
    Sar.Config d = Sar.Config.defaults(CLASSES);
    Sar sar = new Sar(sessions, layout, CLASSES, new Sar.Config(d.optimizer(), d.entropyMargin(),
        d.rho(), d.resetThreshold(), List.of("stage3."), 0.1f), SampleMask.all());

    MethodState state = sar.initialState();
    for (int b = 0; b < 3; b++) {
      state = sar.step(state, batch(b)).state();
    }
    var adapted = layout.named(state.affine(), state.means(), state.vars());
    var source = layout.named(layout.sourceAffine(), state.means(), state.vars());

    assertThat(adapted.get("stage3.bn2.weight")).containsExactly(source.get("stage3.bn2.weight"));
    assertThat(adapted.get("stage3.shortcut_bn.bias"))
        .containsExactly(source.get("stage3.shortcut_bn.bias"));
    assertThat(adapted.get("stage2.bn1.weight")).isNotEqualTo(source.get("stage2.bn1.weight"));
  }

  @Test
  void aMaskThatKeepsNoSampleLeavesTheLossAtZero() {
    AdaptationMethod tent = new Tent(sessions, layout, CLASSES, Tent.Config.defaults(),
        (b, logits) -> new boolean[b.size()]);

    AdaptationMethod.Step step = tent.step(tent.initialState(), batch(0));

    assertThat(step.outputs().diagnostics().samplesUsed()).isZero();
    // Adam's first step with a zero gradient moves nothing.
    assertThat(step.state().affine()).containsExactly(layout.sourceAffine());
  }

  @Test
  void theOpenSetFilterKeepsEverythingBeforeAdaptationAndDropsSamplesLaterOn() {
    AdaptationMethod method = create("tent+openset");
    MethodState state = method.initialState();
    List<Integer> used = new ArrayList<>();
    for (int b = 0; b < BATCHES; b++) {
      AdaptationMethod.Step step = method.step(state, batch(b));
      state = step.state();
      used.add(step.outputs().diagnostics().samplesUsed());
    }

    assertThat(used.get(0)).isEqualTo(BATCH);
    assertThat(used.subList(1, BATCHES)).anySatisfy(u -> assertThat(u).isLessThan(BATCH));
    OpenSetFilter source = new OpenSetFilter(sessions, layout, CLASSES,
        OpenSetFilter.Config.defaults());
    assertThat(source.keep(batch(0), normLogits(0))).containsOnly(true);
  }

  @Test
  void aGuardThatFindsNoCollapseChangesNothing() {
    assertSameArrays(probabilities(create("tent+guard"), stream),
        probabilities(create("tent"), stream));
  }

  @Test
  void eataRefusesABundleWithoutSourceImagesNamingTheOptionThatAddsThem() throws Exception {
    ModelBundle bare = ModelPreparation.prepare(new ModelPreparation.Options(
        ReferenceStreams.MODELS.resolve("model.onnx"), dir.resolve("bare"),
        ModelCard.read(ReferenceStreams.MODELS.resolve("model.json")), null, null, null, null));

    assertThatThrownBy(() -> Methods.create("eata", bare, sessions))
        .isInstanceOf(InvalidModelException.class)
        .hasMessageContaining("no source images, which eata needs")
        .hasMessageContaining("--source-images");
    assertThat(Methods.create("eta", bare, sessions).name()).isEqualTo("eta");
  }

  @Test
  void theDefaultsAreTheOfficialCodesWithTheClassDependentConstantsScaled() {
    Eata.Config ten = Eata.Config.defaults(10);
    Eata.Config thousand = Eata.Config.defaults(1000);
    Sar.Config sar = Sar.Config.defaults(1000);
    Sgd official = new Sgd(0.00025f, 0.9f, 0f, 0f, false);

    assertThat(ten.entropyMargin()).isCloseTo((float) (0.4 * Math.log(10)), within(1e-6f));
    assertThat(ten.redundancyMargin()).isCloseTo(0.4f, within(1e-6f));
    // main.py's --fisher_alpha and SGD(params, 0.00025, momentum=0.9), whatever the classes.
    assertThat(ten.fisherAlpha()).isEqualTo(2000f);
    assertThat(ten.fisherBatch()).isEqualTo(64);
    assertThat(ten.optimizer()).isEqualTo(official);
    assertThat(Sar.Config.defaults(10).optimizer()).isEqualTo(official);
    assertThat(Sar.Config.defaults(10).resetThreshold())
        .isCloseTo((float) (0.2 * Math.log(10) / Math.log(1000)), within(1e-6f));
    assertThat(Tent.Config.defaults().optimizer()).isEqualTo(Adam.withLearningRate(1e-3f));
    assertThat(thousand.entropyMargin()).isCloseTo((float) (0.4 * Math.log(1000)), within(1e-6f));
    assertThat(thousand.redundancyMargin()).isCloseTo(0.05f, within(1e-6f));
    assertThat(thousand.fisherAlpha()).isEqualTo(2000f);
    assertThat(thousand.optimizer()).isEqualTo(new Sgd(0.00025f, 0.9f, 0f, 0f, false));
    assertThat(Eata.Config.defaults(100).redundancyMargin()).isBetween(0.1f, 0.16f);
    assertThat(sar.entropyMargin()).isEqualTo(thousand.entropyMargin());
    assertThat(sar.resetThreshold()).isCloseTo(0.2f, within(1e-6f));
    assertThat(sar.rho()).isEqualTo(0.05f);
  }

  @Test
  void badHyperparametersAreAllReportedAtOnce() {
    Sgd sgd = new Sgd(0.005f, 0.9f, 0f, 0f, false);

    assertThatThrownBy(() -> new Eata.Config(null, 0f, -1f, Float.NaN, 0, 2f))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("eata: ")
        .hasMessageContaining("optimizer is missing")
        .hasMessageContaining("entropyMargin must be > 0 nats, got 0.0")
        .hasMessageContaining("redundancyMargin must be > 0, got -1.0")
        .hasMessageContaining("fisherAlpha must be finite and >= 0, got NaN")
        .hasMessageContaining("fisherBatch must be >= 1, got 0")
        .hasMessageContaining("statsMomentum must be in (0, 1], got 2.0");
    assertThatThrownBy(() -> new Sar.Config(sgd, -1f, -0.05f, Float.POSITIVE_INFINITY, null, 0f))
        .hasMessageStartingWith("sar: ")
        .hasMessageContaining("entropyMargin must be > 0 nats, got -1.0")
        .hasMessageContaining("rho must be finite and >= 0, got -0.05")
        .hasMessageContaining("resetThreshold must be finite and >= 0, got Infinity")
        .hasMessageContaining("frozenModules is missing")
        .hasMessageContaining("statsMomentum must be in (0, 1], got 0.0");
    assertThatThrownBy(() -> Eata.Config.defaults(1)).hasMessageContaining("at least 2 classes");
    assertThatThrownBy(() -> Sar.Config.defaults(0)).hasMessageContaining("at least 2 classes");
  }

  private static double distanceFromSource(AdaptationMethod method) {
    MethodState state = method.initialState();
    for (int b = 0; b < BATCHES; b++) {
      state = method.step(state, batch(b)).state();
    }
    float[] a = state.affine();
    float[] s = layout.sourceAffine();
    double d = 0;
    for (int j = 0; j < a.length; j++) {
      d += (a[j] - s[j]) * (a[j] - s[j]);
    }
    return Math.sqrt(d);
  }

  /**
   * The registry's method, built once per name: methods keep nothing between steps, and EATA's
   * Fisher estimate is the slow part of building one.
   */
  private static AdaptationMethod create(String name) {
    return METHODS.computeIfAbsent(name, n -> Methods.create(n, bundle, sessions));
  }

  private static Batch batch(int b) {
    return new Batch(stream.get(b).inputs(), BATCH);
  }

  private static boolean[] all(int n) {
    boolean[] keep = new boolean[n];
    Arrays.fill(keep, true);
    return keep;
  }

  private static float max(float[] v) {
    float m = Float.NEGATIVE_INFINITY;
    for (float x : v) {
      m = Math.max(m, x);
    }
    return m;
  }

  /** Logits of batch {@code b} under the source parameters with batch statistics. */
  private static float[] normLogits(int b) {
    try (AdaptationStep.Forward fwd = sessions.forward(batch(b).inputs(), BATCH,
        layout.named(layout.sourceAffine(), layout.sourceMeans(), layout.sourceVars()), 0f)) {
      return fwd.logits();
    }
  }

  private static List<float[]> probabilities(AdaptationMethod method,
      List<StreamEvaluation.LabelledBatch> batches) {
    List<float[]> out = new ArrayList<>();
    StreamEvaluation.run(method, create("source"), batches, CLASSES,
        StreamEvaluation.Reset.NEVER, n -> { }, outputs -> out.add(outputs.probabilities()));
    return out;
  }

  private static void assertSameArrays(List<float[]> actual, List<float[]> expected) {
    assertThat(actual).hasSameSizeAs(expected);
    for (int i = 0; i < expected.size(); i++) {
      assertThat(actual.get(i)).as("batch %d", i).containsExactly(expected.get(i));
    }
  }
}
