package io.attune.simulators.schedule;

import io.attune.simulators.corruption.Corruption;
import io.attune.simulators.corruption.ImageShape;
import io.attune.simulators.corruption.Seeds;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * A schedule played over a source of labelled images: batches of corrupted images with their
 * labels, domain indices and open-set flags, generated when asked for.
 *
 * <p>Every sample is a function of (schedule, source, seed, position) alone: the image at stream
 * position {@code p} is corrupted with the image seed {@code Seeds.forImage(seed, p)}, and the
 * plan of which source image goes where is drawn per segment from the seed. So a replay, a
 * {@link #seek}, any batch size and any thread count give the same bytes. Only the indices of the
 * current segment (at most a few hundred thousand ints) are held, never more than one batch of
 * pixels.
 *
 * <pre>{@code
 * ShiftStream stream = ShiftStream.open(Schedule.parse("continual:gaussian_noise:5,fog:5"),
 *     LabeledImages.read(images, labels), 42);
 * while (stream.hasNext()) {
 *   ShiftBatch batch = stream.next(256);
 * }
 * }</pre>
 *
 * Not thread-safe; {@link #next} uses the common fork-join pool to corrupt a batch in parallel.
 */
public final class ShiftStream {

  private final Schedule schedule;
  private final LabeledImages source;
  private final long seed;
  private final StreamPlan plan;
  private final List<Stage> stages;
  private final long length;
  private long position;
  private Segment segment;

  private ShiftStream(Schedule schedule, LabeledImages source, long seed, StreamPlan plan,
      long length) {
    this.schedule = schedule;
    this.source = source;
    this.seed = seed;
    this.plan = plan;
    this.stages = schedule.stages();
    this.length = length;
  }

  /**
   * The whole stream of {@code schedule} over {@code source}.
   *
   * @throws IllegalArgumentException if the source is empty
   */
  public static ShiftStream open(Schedule schedule, LabeledImages source, long seed) {
    Objects.requireNonNull(schedule, "schedule");
    Objects.requireNonNull(source, "source");
    final StreamPlan plan = new StreamPlan(schedule, source, seed);
    return new ShiftStream(schedule, source, seed, plan, plan.length());
  }

  /**
   * The same stream cut after {@code maxSamples}, read from its start; the samples it keeps are
   * those of the whole stream.
   */
  public ShiftStream limit(long maxSamples) {
    if (maxSamples < 0) {
      throw new IllegalArgumentException("limit must be 0 or more, got " + maxSamples);
    }
    return new ShiftStream(schedule, source, seed, plan, Math.min(length, maxSamples));
  }

  public Schedule schedule() {
    return schedule;
  }

  public long seed() {
    return seed;
  }

  /** The stages, which the domain indices of samples refer to. */
  public List<Stage> stages() {
    return stages;
  }

  /** The layout of every image. */
  public ImageShape shape() {
    return source.shape();
  }

  /** Number of classes of the source: its largest label plus one. */
  public int classes() {
    return source.classes();
  }

  /** Number of samples in the stream. */
  public long length() {
    return length;
  }

  /** Position of the next sample. */
  public long position() {
    return position;
  }

  public boolean hasNext() {
    return position < length;
  }

  /** Moves to {@code position} (0 to {@link #length()}); the next batch starts there. */
  public void seek(long position) {
    if (position < 0 || position > length) {
      throw new IllegalArgumentException("position " + position + " is outside the stream of "
          + length + " samples");
    }
    this.position = position;
  }

  /**
   * The next {@code maxSamples} samples or as many as are left, corrupted in parallel.
   *
   * @throws java.util.NoSuchElementException if the stream is at its end
   */
  public ShiftBatch next(int maxSamples) {
    if (maxSamples < 1) {
      throw new IllegalArgumentException("batch size must be at least 1, got " + maxSamples);
    }
    if (!hasNext()) {
      throw new java.util.NoSuchElementException("the stream of " + length
          + " samples is at its end");
    }
    final int count = (int) Math.min(maxSamples, length - position);
    final int[] sources = new int[count];
    final int[] domains = new int[count];
    for (int i = 0; i < count; i++) {
      final Segment at = segmentOf(position + i);
      final int offset = (int) (position + i - at.start());
      sources[i] = at.sources()[offset];
      domains[i] = at.stages()[offset];
    }
    final ShiftBatch batch = render(position, sources, domains);
    position += count;
    return batch;
  }

  private Segment segmentOf(long at) {
    if (segment == null || at < segment.start() || at >= segment.end()) {
      segment = plan.segment(plan.segmentAt(at));
    }
    return segment;
  }

  private ShiftBatch render(long start, int[] sources, int[] domains) {
    final int count = sources.length;
    final ImageShape shape = source.shape();
    final int size = shape.size();
    final byte[] images = new byte[count * size];
    final int[] labels = new int[count];
    final boolean[] ood = new boolean[count];
    IntStream.range(0, count).parallel().forEach(i -> {
      final long imageSeed = Seeds.forImage(seed, start + i);
      if (sources[i] == Segment.OPEN_SET) {
        noise(images, i * size, size, imageSeed);
        labels[i] = -1;
        ood[i] = true;
      } else {
        final Stage stage = stages.get(domains[i]);
        final Corruption corruption = stage.domain().corruption();
        corruption.corrupt(source.pixels(), sources[i] * size, images, i * size, shape,
            stage.severity(), imageSeed);
        labels[i] = source.labels()[sources[i]];
      }
    });
    return new ShiftBatch(start, shape, images, labels, domains, ood, sources, stages);
  }

  /** An open-set sample: uniform noise, belonging to no class. */
  private static void noise(byte[] images, int offset, int size, long imageSeed) {
    final SplittableRandom random = new SplittableRandom(imageSeed);
    for (int j = 0; j < size; j++) {
      images[offset + j] = (byte) random.nextInt(256);
    }
  }
}
