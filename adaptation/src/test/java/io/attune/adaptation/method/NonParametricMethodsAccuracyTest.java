package io.attune.adaptation.method;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.attune.adaptation.bundle.ModelBundle;
import io.attune.adaptation.eval.StreamEvaluation;
import io.attune.adaptation.runtime.AdaptationStep;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The feature methods on the reference model under Gaussian pixel noise (sigma 50 of 255, 20
 * batches of 64, online, no reset; source 69.5% error): T3A and the norm compositions beat the
 * source model on the i.i.d. stream, LAME beats norm and TENT on the same samples sorted by
 * class; and their memories stay bounded and publishable.
 */
class NonParametricMethodsAccuracyTest {

  private static final int CLASSES = 10;

  @TempDir
  static Path dir;

  private static ModelBundle bundle;
  private static AdaptationStep sessions;
  private static List<StreamEvaluation.LabelledBatch> stream;
  private static List<StreamEvaluation.LabelledBatch> sorted;
  private static double sourceError;

  @BeforeAll
  static void prepare() {
    bundle = ReferenceStreams.bundle(dir.resolve("bundle"));
    sessions = bundle.openStep(1);
    stream = ReferenceStreams.noisy(20, 64, 50, 5);
    sorted = classSorted(stream, 64);
    sourceError = error("source", stream);
  }

  @AfterAll
  static void close() {
    sessions.close();
  }

  @ParameterizedTest
  @ValueSource(strings = {"t3a", "t3a+norm", "adanpc+norm", "lame+norm"})
  void beatsTheSourceModelOnANoisyStream(String name) {
    double error = error(name, stream);

    assertThat(error).as("%s error %.4f, source %.4f", name, error, sourceError)
        .isLessThan(sourceError - 0.05);
  }

  @Test
  void lameBeatsNormAndTentWhenTheStreamIsSortedByClass() {
    double lame = error("lame", sorted);
    double norm = error("norm", sorted);
    double tent = error("tent", sorted);
    double source = error("source", sorted);

    assertThat(lame).as("lame %.4f, norm %.4f, tent %.4f, source %.4f", lame, norm, tent, source)
        .isLessThan(norm).isLessThan(tent).isLessThan(source);
  }

  @Test
  void adanpcMemoryNeverExceedsItsCapacityAndIsPublishedAsTheStateHoldsIt() {
    AdaNpc method = new AdaNpc(sessions, new ParameterLayout(bundle.manifest().layers()),
        CLASSES, BundleArrays.sourceMemory(bundle, "test"), new AdaNpc.Config(10, 0.1f, 0f, 100),
        FeatureForward.Statistics.SOURCE);
    MethodState state = method.initialState();
    for (int b = 0; b < stream.size(); b++) {
      AdaptationMethod.Step step = method.step(state, new Batch(stream.get(b).inputs(), 64));
      state = step.state();
      Outputs.Memory memory = step.outputs().memory().orElseThrow();

      assertThat(memory.entries()).isEqualTo(Math.min(64 * (b + 1), 100));
      assertThat(memory.kind()).isEqualTo(Outputs.Memory.Kind.KNN);
      assertThat(memory.features()).containsExactly(state.extra(AdaNpc.FEATURES));
      assertThat(memory.changedAt()).isEqualTo(step.outputs().version()).isEqualTo(b + 1);
      float[] f = memory.features();
      for (int i = 0; i < memory.entries(); i++) {
        double norm = 0;
        for (int d = 0; d < memory.dim(); d++) {
          norm += f[i * memory.dim() + d] * f[i * memory.dim() + d];
        }
        assertThat(norm).isCloseTo(1, within(1e-5));
      }
    }
  }

  @Test
  void t3aKeepsAtMostMSupportsPerClassAndPublishesUnitPrototypes() {
    T3a method = new T3a(sessions, new ParameterLayout(bundle.manifest().layers()),
        BundleArrays.head(bundle), new T3a.Config(5), FeatureForward.Statistics.SOURCE);
    MethodState state = method.initialState();
    assertThat(state.extra(T3a.LABELS)).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
    Outputs.Memory last = null;
    for (int b = 0; b < 5; b++) {
      AdaptationMethod.Step step = method.step(state, new Batch(stream.get(b).inputs(), 64));
      state = step.state();
      last = step.outputs().memory().orElseThrow();
    }
    Outputs.Memory memory = last;
    float[] labels = state.extra(T3a.LABELS);
    int[] perClass = new int[CLASSES];
    for (float l : labels) {
      perClass[(int) l]++;
    }
    assertThat(java.util.Arrays.stream(perClass).min().orElseThrow()).isGreaterThanOrEqualTo(1);
    assertThat(java.util.Arrays.stream(perClass).max().orElseThrow()).isEqualTo(5);
    assertThat(memory.kind()).isEqualTo(Outputs.Memory.Kind.PROTOTYPES);
    assertThat(memory.labels()).containsExactly(IntStream.range(0, CLASSES).toArray());
    assertThat(IntStream.range(0, CLASSES).mapToDouble(c -> memory.weights()[c]).sum())
        .isEqualTo(labels.length);
    float[] p = memory.features();
    for (int c = 0; c < CLASSES; c++) {
      double norm = 0;
      for (int d = 0; d < memory.dim(); d++) {
        norm += p[c * memory.dim() + d] * p[c * memory.dim() + d];
      }
      assertThat(norm).isCloseTo(1, within(1e-5));
    }
  }

  @Test
  void t3aWithAMaxAgeKeepsOnlyYoungTestSupportsAndTheHeadRowsComeBack() {
    ParameterLayout layout = new ParameterLayout(bundle.manifest().layers());
    T3a aging = new T3a(sessions, layout, BundleArrays.head(bundle), new T3a.Config(5, 2),
        FeatureForward.Statistics.SOURCE);
    T3a forever = new T3a(sessions, layout, BundleArrays.head(bundle), new T3a.Config(5, 0),
        FeatureForward.Statistics.SOURCE);
    MethodState a = aging.initialState();
    MethodState f = forever.initialState();
    for (int b = 0; b < 8; b++) {
      Batch batch = new Batch(stream.get(b).inputs(), 64);
      a = aging.step(a, batch).state();
      f = forever.step(f, batch).state();
      long version = a.version();
      for (float born : a.extra(T3a.BORN)) {
        // a test support joined at this step or the one before; anchors have no age
        assertThat(born == T3a.ANCHOR || (born == version || born == version - 1))
            .as("born %s at version %d", born, version).isTrue();
      }
      int[] perClass = new int[CLASSES];
      for (float l : a.extra(T3a.LABELS)) {
        perClass[(int) l]++;
      }
      assertThat(java.util.Arrays.stream(perClass).min().orElseThrow()).isGreaterThanOrEqualTo(1);
    }
    // without an age bound the most confident supports of the first batches stay
    float minBorn = Float.MAX_VALUE;
    for (float born : f.extra(T3a.BORN)) {
      if (born != T3a.ANCHOR) {
        minBorn = Math.min(minBorn, born);
      }
    }
    assertThat(minBorn).isLessThanOrEqualTo(f.version() - 2);
  }

  @Test
  void theMemorySearchBenchmarkSearchesWhatAdanpcAndLameSearchOnThisBundle() {
    MemorySearchBenchmark.Result r = MemorySearchBenchmark.run(bundle, new int[] {64, 1}, 0, 1);

    assertThat(r.sourceEntries()).isEqualTo(2000);
    assertThat(r.dim()).isEqualTo(128);
    assertThat(r.sourceSearch()).isEqualTo("exact");
    assertThat(r.rows()).extracting(MemorySearchBenchmark.Row::method,
        MemorySearchBenchmark.Row::entries, MemorySearchBenchmark.Row::queries,
        MemorySearchBenchmark.Row::k).containsExactly(
            org.assertj.core.groups.Tuple.tuple("adanpc", 3000, 64, 10),
            org.assertj.core.groups.Tuple.tuple("lame", 64, 64, 5),
            org.assertj.core.groups.Tuple.tuple("adanpc", 3000, 1, 10));
    // 64 of the 2,000 rows held out as queries, the IVF over the other 1,936
    assertThat(r.ivfLists()).isEqualTo(44);
    assertThat(r.ivfProbes()).isEqualTo(8);
    assertThat(r.ivfRecall()).isGreaterThan(0.5).isLessThanOrEqualTo(1);
  }

  @ParameterizedTest
  @ValueSource(strings = {"t3a+ema", "adanpc+ema", "lame+ema"})
  void anEmaCompositionCarriesAndPublishesNormEmasRunningStatistics(String name) {
    ParameterLayout layout = new ParameterLayout(bundle.manifest().layers());
    AdaptationMethod method = name.equals("lame+ema")
        ? new Lame(sessions, layout, CLASSES, Lame.Config.defaults(),
            FeatureForward.Statistics.RUNNING)
        : Methods.create(name, bundle, sessions);
    AdaptationMethod ema = Methods.create("norm-ema", bundle, sessions);
    MethodState state = method.initialState();
    MethodState reference = ema.initialState();
    float[] source = state.means().clone();
    int sample = stream.get(0).inputs().length / stream.get(0).size();
    // one sample per step, as at batch size 1, then a full batch
    for (int i = 0; i < 4; i++) {
      float[] one = java.util.Arrays.copyOfRange(stream.get(0).inputs(), i * sample,
          (i + 1) * sample);
      AdaptationMethod.Step step = method.step(state, new Batch(one, 1));
      AdaptationMethod.Step expected = ema.step(reference, new Batch(one, 1));
      assertThat(step.outputs().parameters()).containsExactlyInAnyOrderEntriesOf(
          expected.outputs().parameters());
      state = step.state();
      reference = expected.state();
    }
    Batch batch = new Batch(stream.get(1).inputs(), 64);
    AdaptationMethod.Step step = method.step(state, batch);
    AdaptationMethod.Step expected = ema.step(reference, batch);

    assertThat(step.state().means()).containsExactly(expected.state().means());
    assertThat(step.state().vars()).containsExactly(expected.state().vars());
    assertThat(step.state().means()).isNotEqualTo(source);
    assertThat(method.name()).isEqualTo(name);
  }

  @ParameterizedTest
  @ValueSource(strings = {"t3a", "adanpc"})
  void aRestoredStatePublishesTheSameMemoryAsAnUninterruptedRun(String name) {
    AdaptationMethod method = Methods.create(name, bundle, sessions);
    MethodState state = method.initialState();
    for (int b = 0; b < 3; b++) {
      state = method.step(state, new Batch(stream.get(b).inputs(), 64)).state();
    }
    MethodState restored = MethodStateCodec.decode(MethodStateCodec.encode(state));
    Batch next = new Batch(stream.get(3).inputs(), 64);

    assertThat(method.step(restored, next).outputs().memory())
        .isEqualTo(method.step(state, next).outputs().memory());
  }

  private static double error(String name, List<StreamEvaluation.LabelledBatch> batches) {
    return StreamEvaluation.run(Methods.create(name, bundle, sessions),
        Methods.create("source", bundle, sessions), batches, CLASSES,
        StreamEvaluation.Reset.NEVER, n -> { }, o -> { }).error();
  }

  /** The same samples ordered by class (stable), cut into batches again: LAME's setting. */
  private static List<StreamEvaluation.LabelledBatch> classSorted(
      List<StreamEvaluation.LabelledBatch> batches, int size) {
    int sample = batches.get(0).inputs().length / batches.get(0).size();
    List<float[]> inputs = new ArrayList<>();
    List<Integer> labels = new ArrayList<>();
    for (StreamEvaluation.LabelledBatch b : batches) {
      for (int i = 0; i < b.size(); i++) {
        inputs.add(java.util.Arrays.copyOfRange(b.inputs(), i * sample, (i + 1) * sample));
        labels.add(b.labels()[i]);
      }
    }
    List<Integer> order = IntStream.range(0, labels.size()).boxed()
        .sorted(Comparator.comparing(labels::get)).toList();
    List<StreamEvaluation.LabelledBatch> out = new ArrayList<>();
    for (int from = 0; from < order.size(); from += size) {
      float[] x = new float[size * sample];
      int[] y = new int[size];
      for (int i = 0; i < size; i++) {
        System.arraycopy(inputs.get(order.get(from + i)), 0, x, i * sample, sample);
        y[i] = labels.get(order.get(from + i));
      }
      out.add(new StreamEvaluation.LabelledBatch(x, y, new int[size]));
    }
    return out;
  }
}
