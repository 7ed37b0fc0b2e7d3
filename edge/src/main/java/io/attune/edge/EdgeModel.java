package io.attune.edge;

import io.attune.adaptation.bundle.ModelBundle;
import io.attune.adaptation.method.Entropy;
import io.attune.adaptation.runtime.EdgeSession;
import io.attune.adaptation.runtime.RuntimeOptions;
import io.attune.edge.internal.Counters;
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
 * <p>A cohort adapted by T3A also gets its class prototypes ({@link #apply(MemoryUpdate)}):
 * with a memory held, a prediction is {@code softmax(z . prototype_c)} over the edge graph's
 * penultimate features {@code z} instead of the head's logits, as T3A predicts on the worker.
 * The memory has a version of its own (that of the worker's step that changed it) and its own
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
  private final int dim;
  private final AtomicReference<Memory> memory = new AtomicReference<>(Memory.NONE);
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
    this.dim = bundle.manifest().head().dim();
    this.memoryVerifier = new MemoryVerifier(options.model(), options.cohort(),
        options.trustedKey(), classes, dim);
  }

  /**
   * The held memory: its version (0: none yet) and prototypes {@code [classes, dim]}, null when
   * predictions use the head.
   */
  private record Memory(long version, float[] prototypes) {
    static final Memory NONE = new Memory(0, null);
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
    float[] logits = held.prototypes() == null ? out.logits()
        : prototypeLogits(out.features(), count, held.prototypes());
    counters.predicted(count);
    float[] headEntropies = Entropy.perSample(out.logits(), count, classes);
    return predictions(logits, headEntropies, count, snapshot.version());
  }

  /** {@code count} samples of raw 8-bit pixels, all with the same parameters snapshot. */
  public List<Prediction> predictBatch(byte[] pixels, int count) {
    if (count < 1 || pixels.length != (long) count * sampleSize) {
      throw new IllegalArgumentException(pixels.length + " pixels are not " + count
          + " samples of " + sampleSize);
    }
    return predictBatch(bundle.manifest().preprocess(pixels, count), count);
  }

  /** {@code z . prototype_c} for every sample and class, T3A's logits. */
  private float[] prototypeLogits(float[] features, int count, float[] prototypes) {
    float[] logits = new float[count * classes];
    for (int i = 0; i < count; i++) {
      for (int c = 0; c < classes; c++) {
        float dot = 0;
        for (int d = 0; d < dim; d++) {
          dot += features[i * dim + d] * prototypes[c * dim + d];
        }
        logits[i * classes + c] = dot;
      }
    }
    return logits;
  }

  private List<Prediction> predictions(float[] logits, float[] headEntropies, int count,
      long version) {
    float[] probabilities = Entropy.softmax(logits, count, classes);
    float[] entropies = Entropy.perSample(logits, count, classes);
    List<Prediction> out = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      float[] p = Arrays.copyOfRange(probabilities, i * classes, (i + 1) * classes);
      out.add(new Prediction(p, argmax(p), entropies[i], version, headEntropies[i]));
    }
    return out;
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
   * parameters; then a kind this edge predicts with (PROTOTYPES: an AdaNPC kNN memory is refused
   * as {@link RejectReason#UNSUPPORTED}); features {@code FLOAT32 [entries, dim]} with one
   * distinct class label per entry; finite values. Zero entries return predictions to the head.
   */
  public synchronized UpdateResult apply(MemoryUpdate update) {
    long held = memory.get().version();
    try {
      float[] prototypes = memoryVerifier.verify(update, held);
      memory.set(new Memory(update.getVersion(), prototypes));
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

  /** Whether predictions use published prototypes rather than the model's head. */
  public boolean predictsWithMemory() {
    return memory.get().prototypes() != null;
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
