package io.attune.simulators.evaluation;

import io.attune.adaptation.bundle.BundleManifest;
import io.attune.adaptation.eval.StreamEvaluation.LabelledBatch;
import io.attune.simulators.corruption.ImageShape;
import io.attune.simulators.schedule.Schedule;
import io.attune.simulators.schedule.ShiftBatch;
import io.attune.simulators.schedule.ShiftStream;
import io.attune.simulators.schedule.Stage;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * A shifted stream as the labelled batches {@link io.attune.adaptation.eval.StreamEvaluation}
 * runs a method over: corrupted when asked for, preprocessed with the bundle's normalization,
 * no file in between. Open-set samples keep their label -1, which scoring skips.
 *
 * <p>Each {@link #iterator()} plays the stream from its start. Not thread-safe: the iterators
 * share the stream's position.
 */
public final class ShiftBatches implements Iterable<LabelledBatch> {

  private final ShiftStream stream;
  private final BundleManifest manifest;
  private final int batch;
  private final boolean cutAtDomains;

  private ShiftBatches(ShiftStream stream, BundleManifest manifest, int batch,
      boolean cutAtDomains) {
    this.stream = stream;
    this.manifest = manifest;
    this.batch = batch;
    this.cutAtDomains = cutAtDomains;
  }

  /**
   * Batches of {@code stream} for the model of {@code manifest}.
   *
   * @param cutAtDomains end a batch where the domain changes, so that a method reset per domain
   *     never adapts on two domains at once
   * @throws IllegalArgumentException if the stream's images do not have the model's input shape,
   *     the batch is below 1, or batches should end at domains whose samples interleave (a mixed
   *     schedule)
   */
  public static ShiftBatches of(ShiftStream stream, BundleManifest manifest, int batch,
      boolean cutAtDomains) {
    ImageShape shape = stream.shape();
    List<Integer> expected = List.of(shape.channels(), shape.height(), shape.width());
    if (!expected.equals(manifest.inputShape())) {
      throw new IllegalArgumentException("the stream's images are " + shape + " but model "
          + manifest.name() + " takes " + manifest.inputShape());
    }
    if (batch < 1) {
      throw new IllegalArgumentException("batch size must be at least 1, got " + batch);
    }
    if (cutAtDomains && stream.schedule().kind() == Schedule.Kind.MIXED) {
      throw new IllegalArgumentException("a mixed schedule interleaves its domains within "
          + "batches, so it cannot be reset per domain; reset never instead");
    }
    return new ShiftBatches(stream, manifest, batch, cutAtDomains);
  }

  /** Samples in the stream. */
  public long count() {
    return stream.length();
  }

  /** Name of a domain index, as the schedule writes it ({@code fog:5}, {@code clean}). */
  public String domainName(int index) {
    List<Stage> stages = stream.stages();
    return index >= 0 && index < stages.size() ? stages.get(index).domain().spec()
        : Integer.toString(index);
  }

  @Override
  public Iterator<LabelledBatch> iterator() {
    stream.seek(0);
    return new Iterator<>() {
      @Override
      public boolean hasNext() {
        return stream.hasNext();
      }

      @Override
      public LabelledBatch next() {
        if (!hasNext()) {
          throw new NoSuchElementException("the stream of " + stream.length()
              + " samples is at its end");
        }
        return read();
      }
    };
  }

  /** The next batch, cut where the domain changes when asked to: the rest comes next time. */
  private LabelledBatch read() {
    ShiftBatch b = stream.next(batch);
    int n = b.size();
    int[] domains = b.domains();
    for (int i = 1; cutAtDomains && i < n; i++) {
      if (domains[i] != domains[0]) {
        n = i;
        stream.seek(b.start() + n);
        break;
      }
    }
    byte[] pixels = n == b.size() ? b.images() : Arrays.copyOf(b.images(),
        n * b.shape().size());
    return new LabelledBatch(manifest.preprocess(pixels, n), Arrays.copyOf(b.labels(), n),
        Arrays.copyOf(domains, n));
  }
}
