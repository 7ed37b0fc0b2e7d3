package io.attune.adaptation.method;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.attune.adaptation.RepoRoot;
import io.attune.adaptation.bundle.ModelBundle;
import io.attune.adaptation.eval.StreamEvaluation;
import io.attune.adaptation.runtime.AdaptationStep;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** What every method promises: label-blind, deterministic, and resumable from bytes. */
class MethodContractTest {

  private static final Path MODELS = RepoRoot.find().resolve("models/fmnist-resnet");
  private static final Path DATA = RepoRoot.find().resolve("data/fashion-mnist");
  private static final int BATCH = 32;
  private static final int BATCHES = 6;

  @TempDir
  static Path dir;

  private static ModelBundle bundle;
  private static AdaptationStep sessions;
  private static List<StreamEvaluation.LabelledBatch> stream;

  @BeforeAll
  static void prepare() {
    bundle = ReferenceStreams.bundle(dir.resolve("bundle"));
    sessions = bundle.openStep(1);
    stream = ReferenceStreams.noisy(BATCHES, BATCH, 50, 9);
  }

  /** Every registered method: a new one is held to the contract without editing this test. */
  static java.util.stream.Stream<String> allMethods() {
    return Methods.NAMES.stream();
  }

  @AfterAll
  static void close() {
    sessions.close();
  }

  private static AdaptationMethod method(String name) {
    return Methods.create(name, bundle, sessions);
  }

  @ParameterizedTest
  @MethodSource("allMethods")
  void scramblingTheLabelsChangesNothingTheMethodOutputs(String name) {
    List<StreamEvaluation.LabelledBatch> scrambled = new ArrayList<>();
    Random random = new Random(1);
    for (StreamEvaluation.LabelledBatch b : stream) {
      List<Integer> labels = new ArrayList<>(Arrays.stream(b.labels()).boxed().toList());
      Collections.shuffle(labels, random);
      scrambled.add(new StreamEvaluation.LabelledBatch(b.inputs(),
          labels.stream().mapToInt(Integer::intValue).map(l -> (l + 3) % 10).toArray(),
          b.domains()));
    }

    assertSameArrays(probabilities(method(name), scrambled),
        probabilities(method(name), stream));
  }

  @ParameterizedTest
  @MethodSource("allMethods")
  void aStateSerializedMidStreamContinuesBitIdentically(String name) {
    AdaptationMethod method = method(name);
    MethodState state = method.initialState();
    List<float[]> straight = new ArrayList<>();
    List<float[]> resumed = new ArrayList<>();
    MethodState copy = null;
    for (int b = 0; b < BATCHES; b++) {
      AdaptationMethod.Step step = method.step(state, batch(b));
      state = step.state();
      straight.add(step.outputs().probabilities());
      if (b == 2) {
        copy = MethodStateCodec.decode(MethodStateCodec.encode(state));
        assertThat(copy).isEqualTo(state);
      }
    }
    for (int b = 3; b < BATCHES; b++) {
      AdaptationMethod.Step step = method.step(copy, batch(b));
      copy = step.state();
      resumed.add(step.outputs().probabilities());
    }
    assertSameArrays(resumed, straight.subList(3, BATCHES));
    assertThat(copy).isEqualTo(state);
  }

  @ParameterizedTest
  @ValueSource(strings = {"norm", "tent"})
  void versionsCountUpFromOneAndParametersAreNamedLikeTheModel(String name) {
    AdaptationMethod method = method(name);
    MethodState state = method.initialState();
    for (int b = 0; b < 3; b++) {
      AdaptationMethod.Step step = method.step(state, batch(b));
      assertThat(step.outputs().version()).isEqualTo(b + 1);
      assertThat(step.outputs().parameters()).containsKeys("stem_bn.weight",
          "stage3.shortcut_bn.running_var").hasSize(4 * 9);
      state = step.state();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"tent"})
  void tentChangesTheScalesAndBiasesAndNormDoesNot(String name) {
    AdaptationMethod.Step tent = method(name).step(method(name).initialState(), batch(0));
    AdaptationMethod.Step norm = method("norm").step(method("norm").initialState(), batch(0));
    float[] source = new ParameterLayout(bundle.manifest().layers()).sourceAffine();
    assertThat(tent.state().affine()).isNotEqualTo(source);
    assertThat(norm.state().affine()).isEqualTo(source);
  }

  @org.junit.jupiter.api.Test
  void unknownMethodsAndBadStatesAreRefusedClearly() {
    assertThatThrownBy(() -> method("bogus")).hasMessageContaining("unknown method 'bogus'")
        .hasMessageContaining("tent");
    assertThatThrownBy(() -> MethodStateCodec.decode(new byte[] {1, 2, 3, 4, 5, 6, 7, 8}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bad magic");
    assertThatThrownBy(() -> new Norm.Config(1.5f, 0f)).hasMessageContaining("alpha");
    assertThatThrownBy(() -> new Tent.Config(null, 0.1f)).hasMessageContaining("optimizer");
  }

  private static Batch batch(int b) {
    return new Batch(stream.get(b).inputs(), BATCH);
  }

  /** The method's outputs over the stream, run by the evaluation with its labels. */
  private static List<float[]> probabilities(AdaptationMethod method,
      List<StreamEvaluation.LabelledBatch> batches) {
    List<float[]> out = new ArrayList<>();
    StreamEvaluation.run(method, method("source"), batches, 10, StreamEvaluation.Reset.NEVER,
        n -> { }, outputs -> out.add(outputs.probabilities()));
    return out;
  }

  private static void assertSameArrays(List<float[]> actual, List<float[]> expected) {
    assertThat(actual).hasSameSizeAs(expected);
    for (int i = 0; i < expected.size(); i++) {
      assertThat(actual.get(i)).as("batch %d", i).containsExactly(expected.get(i));
    }
  }
}
