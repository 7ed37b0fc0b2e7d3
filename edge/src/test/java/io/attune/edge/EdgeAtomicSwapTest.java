package io.attune.edge;

import static org.assertj.core.api.Assertions.assertThat;

import io.attune.adaptation.bundle.BundleManifest;
import io.attune.adaptation.bundle.ModelBundle;
import io.attune.adaptation.runtime.RuntimeOptions;
import io.attune.schemas.NormParamsUpdate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * Many threads predict one sample while updates are swapped in. Each update moves every
 * normalization parameter at random, so each version gives its own probabilities; a prediction
 * computed with some layers of one version and some of another matches none of them (checked
 * below for a half-and-half mix), and a prediction labelled with a version other than the one
 * that computed it matches the wrong reference. Every concurrent prediction must equal, bit for
 * bit, the single-threaded reference of the version it reports.
 */
class EdgeAtomicSwapTest {

  private static final ModelBundle BUNDLE = ReferenceBundle.get();
  private static final int VERSIONS = 24;
  private static final int THREADS = 4;
  private static final int PREDICTIONS_PER_VERSION = 12;

  private static EdgeModel open() {
    return EdgeModel.open(BUNDLE, new EdgeModel.Options(Updates.MODEL, Updates.COHORT,
        Updates.KEYS.getPublic(), RuntimeOptions.cpu(1)));
  }

  @Test
  void concurrentPredictionsEachSeeExactlyOneAppliedSnapshot() throws Exception {
    byte[] sample = leastCertain(ReferenceBundle.noisyImages(32, 60, 7), 32);
    List<NormParamsUpdate> updates = new ArrayList<>();
    for (int v = 1; v <= VERSIONS; v++) {
      updates.add(Updates.signed(BUNDLE, v, Updates.perturbed(BUNDLE, v)));
    }
    Map<Long, float[]> reference = references(sample, updates);
    assertDistinct(reference);
    assertThat(mixOfVersions(sample, 1, 2)).matches(mixed -> reference.values().stream()
        .noneMatch(r -> Arrays.equals(r, mixed)), "a half-and-half mix matches no version");

    List<Prediction> seen = predictWhileSwapping(sample, updates);

    Set<Long> versions = new HashSet<>();
    for (Prediction p : seen) {
      versions.add(p.paramsVersion());
      assertThat(p.probabilities()).as("probabilities of a prediction at version %d",
          p.paramsVersion()).isEqualTo(reference.get(p.paramsVersion()));
    }
    assertThat(seen).hasSizeGreaterThan(200);
    assertThat(versions).as("versions seen by concurrent predictions").hasSizeGreaterThan(
        VERSIONS / 2);
  }

  /** The sample the source model is least sure of, whose probabilities move most. */
  private static byte[] leastCertain(byte[] pixels, int count) {
    int size = pixels.length / count;
    try (EdgeModel model = open()) {
      List<Prediction> predictions = model.predictBatch(pixels, count);
      int best = 0;
      for (int i = 1; i < count; i++) {
        best = predictions.get(i).entropy() > predictions.get(best).entropy() ? i : best;
      }
      return Arrays.copyOfRange(pixels, best * size, (best + 1) * size);
    }
  }

  /** Probabilities of the sample at each version, predicted on one thread. */
  private static Map<Long, float[]> references(byte[] sample, List<NormParamsUpdate> updates) {
    Map<Long, float[]> out = new HashMap<>();
    try (EdgeModel model = open()) {
      out.put(0L, model.predict(sample).probabilities());
      for (NormParamsUpdate u : updates) {
        assertThat(model.apply(u).accepted()).isTrue();
        out.put(u.getVersion(), model.predict(sample).probabilities());
      }
    }
    return out;
  }

  private static void assertDistinct(Map<Long, float[]> reference) {
    List<float[]> all = new ArrayList<>(reference.values());
    for (int i = 0; i < all.size(); i++) {
      for (int j = i + 1; j < all.size(); j++) {
        // far above float rounding (about 6e-8 near 1), so no two versions can be confused
        assertThat(maxDifference(all.get(i), all.get(j))).as("versions differ clearly")
            .isGreaterThan(1e-5f);
      }
    }
  }

  /** The first half of the layers at version {@code a}, the rest at {@code b}. */
  private static float[] mixOfVersions(byte[] sample, long a, long b) {
    Map<String, float[]> first = Updates.perturbed(BUNDLE, a);
    Map<String, float[]> second = Updates.perturbed(BUNDLE, b);
    Map<String, float[]> mixed = new LinkedHashMap<>();
    List<BundleManifest.Layer> layers = BUNDLE.manifest().layers();
    for (int i = 0; i < layers.size(); i++) {
      Map<String, float[]> from = i < layers.size() / 2 ? first : second;
      BundleManifest.Layer l = layers.get(i);
      for (String name : List.of(l.scale(), l.bias(), l.mean(), l.var())) {
        mixed.put(name, from.get(name));
      }
    }
    try (EdgeModel model = open()) {
      model.apply(Updates.signed(BUNDLE, 1, mixed));
      return model.predict(sample).probabilities();
    }
  }

  private static List<Prediction> predictWhileSwapping(byte[] sample,
      List<NormParamsUpdate> updates) throws Exception {
    ConcurrentLinkedQueue<Prediction> seen = new ConcurrentLinkedQueue<>();
    AtomicBoolean done = new AtomicBoolean();
    CountDownLatch started = new CountDownLatch(THREADS);
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    try (EdgeModel model = open()) {
      List<Future<?>> predictors = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        predictors.add(pool.submit(() -> {
          started.countDown();
          while (!done.get()) {
            seen.add(model.predict(sample));
          }
          return null;
        }));
      }
      started.await();
      // Swap after a number of predictions rather than a time: on a loaded machine a time
      // window may hold none, and the checks below count predictions and versions.
      for (NormParamsUpdate u : updates) {
        awaitMorePredictions(seen, PREDICTIONS_PER_VERSION);
        assertThat(model.apply(u).accepted()).isTrue();
      }
      awaitMorePredictions(seen, PREDICTIONS_PER_VERSION);
      done.set(true);
      for (Future<?> f : predictors) {
        f.get(30, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    return new ArrayList<>(seen);
  }

  private static void awaitMorePredictions(ConcurrentLinkedQueue<Prediction> seen, int more)
      throws InterruptedException {
    int target = seen.size() + more;
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
    while (seen.size() < target) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("the predicting threads stalled at " + seen.size());
      }
      Thread.sleep(1);
    }
  }

  private static float maxDifference(float[] a, float[] b) {
    float max = 0;
    for (int i = 0; i < a.length; i++) {
      max = Math.max(max, Math.abs(a[i] - b[i]));
    }
    return max;
  }
}
