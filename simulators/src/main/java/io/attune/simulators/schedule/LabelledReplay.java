package io.attune.simulators.schedule;

import io.attune.adaptation.bundle.BundleManifest;
import io.attune.adaptation.eval.StreamEvaluation.LabelledBatch;
import io.attune.simulators.corruption.ImageShape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * Schedules played one after another as one stream of labelled batches for a model: corrupted
 * when asked for, preprocessed with the bundle's normalization, no file in between. Its domains
 * are the distinct domains of all schedules, by name ({@code clean} in two schedules is one
 * domain), so a report pools them. Schedule {@code k} is played with seed {@code seed + k}, so
 * that two clean parts do not show the same images in the same order.
 *
 * <p>Each {@link #iterator()} plays from the start. Not thread-safe.
 */
public final class LabelledReplay implements Iterable<LabelledBatch> {

  private final List<ShiftStream> streams;
  private final List<int[]> stageToDomain;
  private final List<Domain> domains;
  private final BundleManifest manifest;
  private final int batch;

  private LabelledReplay(List<ShiftStream> streams, List<int[]> stageToDomain,
      List<Domain> domains, BundleManifest manifest, int batch) {
    this.streams = streams;
    this.stageToDomain = stageToDomain;
    this.domains = domains;
    this.manifest = manifest;
    this.batch = batch;
  }

  /**
   * @throws IllegalArgumentException if the images do not have the model's input shape or the
   *     batch is below 1
   */
  public static LabelledReplay of(List<Schedule> schedules, LabeledImages source, long seed,
      BundleManifest manifest, int batch) {
    ImageShape shape = source.shape();
    List<Integer> expected = List.of(shape.channels(), shape.height(), shape.width());
    if (!expected.equals(manifest.inputShape())) {
      throw new IllegalArgumentException("the images are " + shape + " but model "
          + manifest.name() + " takes " + manifest.inputShape());
    }
    if (batch < 1) {
      throw new IllegalArgumentException("batch size must be at least 1, got " + batch);
    }
    if (schedules.isEmpty()) {
      throw new IllegalArgumentException("no schedule to play");
    }
    List<ShiftStream> streams = new ArrayList<>();
    List<int[]> mapping = new ArrayList<>();
    Map<String, Integer> index = new LinkedHashMap<>();
    List<Domain> domains = new ArrayList<>();
    for (int k = 0; k < schedules.size(); k++) {
      ShiftStream stream = ShiftStream.open(schedules.get(k), source, seed + k);
      int[] map = new int[stream.stages().size()];
      for (Stage stage : stream.stages()) {
        map[stage.index()] = index.computeIfAbsent(stage.domain().spec(), name -> {
          domains.add(stage.domain());
          return domains.size() - 1;
        });
      }
      streams.add(stream);
      mapping.add(map);
    }
    return new LabelledReplay(List.copyOf(streams), mapping, List.copyOf(domains), manifest,
        batch);
  }

  /** The distinct domains, which the batches' domain indices refer to. */
  public List<Domain> domains() {
    return domains;
  }

  /** Samples in all schedules together. */
  public long count() {
    return streams.stream().mapToLong(ShiftStream::length).sum();
  }

  @Override
  public Iterator<LabelledBatch> iterator() {
    streams.forEach(s -> s.seek(0));
    return new Iterator<>() {
      private int current;

      @Override
      public boolean hasNext() {
        while (current < streams.size() && !streams.get(current).hasNext()) {
          current++;
        }
        return current < streams.size();
      }

      @Override
      public LabelledBatch next() {
        if (!hasNext()) {
          throw new NoSuchElementException("all " + streams.size() + " schedules are played");
        }
        ShiftBatch b = streams.get(current).next(batch);
        int[] map = stageToDomain.get(current);
        int[] domains = Arrays.stream(b.domains()).map(d -> map[d]).toArray();
        return new LabelledBatch(manifest.preprocess(b.images(), b.size()), b.labels(),
            domains);
      }
    };
  }
}
