package io.attune.edge;

import io.attune.adaptation.bundle.ModelBundle;
import io.attune.adaptation.method.Entropy;
import io.attune.adaptation.method.KnnVote;
import io.attune.adaptation.runtime.EdgeSession;
import io.attune.adaptation.runtime.RuntimeOptions;
import io.attune.edge.internal.Counters;
import io.attune.edge.internal.EdgeMemory;
import io.attune.edge.internal.MemoryVerifier;
import io.attune.edge.internal.Rejection;
import io.attune.edge.internal.UpdateVerifier;
import io.attune.schemas.CohortKey;
import io.attune.schemas.MemoryUpdate;
import io.attune.schemas.NormParamsUpdate;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A device's model: a bundle's edge graph run forward-only with the newest verified
 * normalization parameters of the device's cohort.
 *
 * <p>The parameters live in one immutable {@link ParamsSnapshot} behind an atomic reference.
 * Every prediction reads the reference once and computes with that snapshot only, and
 * {@link #apply} replaces the whole snapshot in one step, so a prediction never sees half an
 * update, whatever the threads. Until an update is applied the snapshot is the bundle's source
 * parameters, version 0.
 *
 * <p>The edge graph normalizes with the mean and variance it is fed (inference-mode
 * normalization), which are the published running statistics, never the batch's: a sample's
 * prediction does not depend on what else is in its batch, and a batch of one works.
 *
 * <p>A cohort adapted by T3A or AdaNPC also gets its memory ({@link #apply(MemoryUpdate)}), and
 * with a memory held a prediction comes from the edge graph's penultimate features {@code z}
 * instead of the head's logits, as the method predicts on the worker: T3A's
 * {@code softmax(z . prototype_c)} over its class prototypes, or AdaNPC's kNN vote
 * ({@link KnnVote}, the adaptation module's code) over the bundle's source memory and the
 * published test entries, with the published {@code k} and temperature. The bundle's source
 * memory is loaded on the first kNN memory, so devices of other methods never pay for it. The
 * memory has a version of its own (that of the worker's step that changed it) and its own
 * atomic reference; an empty memory, which the worker publishes when its guard falls back to the
 * source, returns predictions to the head.
 *
 * <p>Thread-safe: predictions run concurrently (ONNX Runtime sessions are); updates are applied
 * one at a time.
 */
public final class EdgeModel implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(EdgeModel.class);

  /**
   * Who the device is and whom it trusts.
   *
   * @param model model id, as updates name it
   * @param cohort the device's cohort; updates of other cohorts are refused
   * @param trustedKey the Ed25519 public key that signs this cohort's updates
   * @param runtime ONNX Runtime threads and provider
   */
  public record Options(String model, String cohort, PublicKey trustedKey,
      RuntimeOptions runtime) {

    /** @throws IllegalArgumentException if model or cohort is empty or contains '/' */
    public Options {
      new CohortKey(model, cohort);
      Objects.requireNonNull(trustedKey, "trustedKey");
      Objects.requireNonNull(runtime, "runtime");
    }

    /** The Kafka key of this device's cohort, {@code model/cohort}. */
    public String key() {
      return new CohortKey(model, cohort).format();
    }
  }

  private final ModelBundle bundle;
  private final Options options;
  private final EdgeSession session;
  private final UpdateVerifier verifier;
  private final int classes;
  private final int sampleSize;
  private final AtomicReference<ParamsSnapshot> current;
  private final MemoryVerifier memoryVerifier;
  private final AtomicReference<Memory> memory = new AtomicReference<>(Memory.NONE);
  /** The vote over the bundle's source memory, loaded on the first kNN memory; guarded by this. */
  private KnnVote sourceVote;
  private final Counters counters = new Counters();

  private EdgeModel(ModelBundle bundle, Options options, EdgeSession session) {
    this.bundle = bundle;
    this.options = options;
    this.session = session;
    this.verifier = new UpdateVerifier(options.model(), options.cohort(), options.trustedKey(),
        bundle.manifest().layers());
    this.classes = bundle.manifest().head().classes();
    this.sampleSize = Math.toIntExact(Arrays.stream(bundle.sampleShape()).reduce(1,
        Math::multiplyExact));
    this.current = new AtomicReference<>(ParamsSnapshot.of(0, bundle.sourceParameters()));
    this.memoryVerifier = new MemoryVerifier(options.model(), options.cohort(),
        options.trustedKey(), classes, bundle.manifest().head().dim(),
        KnnVote.available(bundle) ? this::sourceVote : null);
  }

  /** The held memory: its version (0: none yet) and content, null when the head predicts. */
  private record Memory(long version, EdgeMemory content) {
    static final Memory NONE = new Memory(0, null);
  }

  /**
   * Called from {@link #apply(MemoryUpdate)} only, which holds the lock.
   *
   * @throws io.attune.adaptation.model.InvalidModelException if the bundle's source memory
   *     files cannot be read or do not fit its head
   */
  private KnnVote sourceVote() {
    if (sourceVote == null) {
      sourceVote = KnnVote.open(bundle);
    }
    return sourceVote;
  }

  /**
   * Opens the bundle's edge graph.
   *
   * @throws io.attune.adaptation.model.InvalidModelException if ONNX Runtime cannot load it
   */
  public static EdgeModel open(ModelBundle bundle, Options options) {
    return new EdgeModel(bundle, options, new EdgeSession(bundle, options.runtime()));
  }

  /** One preprocessed sample, {@code C*H*W} values. */
  public Prediction predict(float[] input) {
    return predictBatch(input, 1).get(0);
  }

  /** One sample of raw 8-bit pixels, normalized with the bundle's preprocessing. */
  public Prediction predict(byte[] pixels) {
    return predictBatch(pixels, 1).get(0);
  }

  /**
   * {@code count} preprocessed samples, all with the same parameters snapshot.
   *
   * @throws IllegalArgumentException if {@code inputs} does not hold {@code count} samples
   */
  public List<Prediction> predictBatch(float[] inputs, int count) {
    if (count < 1 || inputs.length != (long) count * sampleSize) {
      throw new IllegalArgumentException(inputs.length + " values are not " + count
          + " samples of " + sampleSize);
    }
    ParamsSnapshot snapshot = current.get();
    Memory held = memory.get();
    EdgeSession.Output out = session.infer(inputs, count, snapshot.shared());
    float[] probabilities = held.content() == null
        ? Entropy.softmax(out.logits(), count, classes)
        : held.content().probabilities(out.features(), count);
    counters.predicted(count);
    float[] headEntropies = Entropy.perSample(out.logits(), count, classes);
    return predictions(probabilities, headEntropies, count, snapshot.version());
  }

  /** {@code count} samples of raw 8-bit pixels, all with the same parameters snapshot. */
  public List<Prediction> predictBatch(byte[] pixels, int count) {
    if (count < 1 || pixels.length != (long) count * sampleSize) {
      throw new IllegalArgumentException(pixels.length + " pixels are not " + count
          + " samples of " + sampleSize);
    }
    return predictBatch(bundle.manifest().preprocess(pixels, count), count);
  }

  private List<Prediction> predictions(float[] probabilities, float[] headEntropies, int count,
      long version) {
    List<Prediction> out = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      float[] p = Arrays.copyOfRange(probabilities, i * classes, (i + 1) * classes);
      out.add(new Prediction(p, argmax(p), entropy(p), version, headEntropies[i]));
    }
    return out;
  }

  /** {@code -sum p log p} in nats. */
  private static float entropy(float[] p) {
    double h = 0;
    for (float v : p) {
      if (v > 0) {
        h -= v * Math.log(v);
      }
    }
    return (float) h;
  }

  private static int argmax(float[] p) {
    int best = 0;
    for (int c = 1; c < p.length; c++) {
      if (p[c] > p[best]) {
        best = c;
      }
    }
    return best;
  }

  /**
   * Verifies an update and, if it passes, makes it the parameters of every later prediction.
   * Checks, in order (the first failure is the reason): signature present, made by the trusted
   * key and valid over the update's canonical bytes; model and cohort this device's; version
   * newer than the held one (stale and replayed updates fail); layers exactly the bundle's,
   * FLOAT32 {@code [channels]}, finite. A refused update changes nothing but the counters and
   * is logged at WARN.
   */
  public synchronized UpdateResult apply(NormParamsUpdate update) {
    long held = current.get().version();
    try {
      Map<String, float[]> params = verifier.verify(update, held);
      current.set(ParamsSnapshot.of(update.getVersion(), params));
      counters.applied();
      LOG.debug("{}: applied params version {} ({} by {})", options.key(), update.getVersion(),
          update.getKind(), update.getMethod());
      return UpdateResult.applied(update.getVersion());
    } catch (Rejection r) {
      return reject(r.reason(), update.getVersion(), r.getMessage());
    }
  }

  /**
   * Verifies a memory update and, if it passes, makes later predictions use it. Checks, in
   * order: the signature, model, cohort and a version newer than the held memory's, as for
   * parameters; for a KNN memory, its {@code k} and temperature given
   * ({@link RejectReason#UNSUPPORTED} otherwise, as in records of schema version 1) and its
   * source memory this bundle's ({@link RejectReason#SOURCE_MISMATCH}); features
   * {@code FLOAT32 [entries, dim]} with one class label per entry (PROTOTYPES: distinct);
   * finite values. Zero entries return predictions to the head.
   *
   * @throws io.attune.adaptation.model.InvalidModelException on the first KNN memory, if the
   *     bundle lists a source memory whose files cannot be read: the device is misconfigured
   */
  public synchronized UpdateResult apply(MemoryUpdate update) {
    long held = memory.get().version();
    try {
      EdgeMemory content = memoryVerifier.verify(update, held);
      memory.set(new Memory(update.getVersion(), content));
      counters.applied();
      LOG.debug("{}: applied memory version {} ({} entries by {})", options.key(),
          update.getVersion(), update.getLabels().size(), update.getMethod());
      return UpdateResult.applied(update.getVersion());
    } catch (Rejection r) {
      return reject(r.reason(), update.getVersion(), held, r.getMessage());
    }
  }

  /** Version of the held memory, 0 when none was applied. */
  public long memoryVersion() {
    return memory.get().version();
  }

  /** Whether predictions use a published memory (prototypes or kNN) rather than the head. */
  public boolean predictsWithMemory() {
    return memory.get().content() != null;
  }

  /** Counts and logs an update refused before {@link #apply} could read it. */
  UpdateResult reject(RejectReason reason, long updateVersion, String detail) {
    return reject(reason, updateVersion, current.get().version(), detail);
  }

  private UpdateResult reject(RejectReason reason, long updateVersion, long held,
      String detail) {
    counters.rejected(reason);
    LOG.warn("{}: rejected update version {} ({}): {}", options.key(), updateVersion,
        reason, detail);
    return UpdateResult.rejected(reason, updateVersion, held, detail);
  }

  /** The parameters predictions use now. */
  public ParamsSnapshot snapshot() {
    return current.get();
  }

  /** Version of the held parameters, 0 for the source. */
  public long version() {
    return current.get().version();
  }

  public EdgeStats stats() {
    return new EdgeStats(version(), counters.appliedCount(), counters.rejectedCounts(),
        counters.predictionCount());
  }

  public Options options() {
    return options;
  }

  public ModelBundle bundle() {
    return bundle;
  }

  /** Number of classes, the length of every prediction's probabilities. */
  public int classes() {
    return classes;
  }

  @Override
  public void close() {
    session.close();
  }
}
