package io.attune.simulators.traffic;

import io.attune.schemas.CohortKey;
import io.attune.schemas.DType;
import io.attune.schemas.InferenceSample;
import io.attune.schemas.Tensor;
import io.attune.simulators.corruption.ImageShape;
import io.attune.simulators.schedule.LabeledImages;
import io.attune.simulators.schedule.ShiftBatch;
import io.attune.simulators.schedule.ShiftSample;
import io.attune.simulators.schedule.ShiftStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongConsumer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;

/**
 * Replays shifted streams as {@link InferenceSample} records, the traffic a fleet of deployed
 * models would upload: one stream per cohort (see {@link TrafficPlan}), interleaved sample by
 * sample, keyed {@code model/cohort}, paced at the plan's rate.
 *
 * <p>Each record holds the corrupted image as a UINT8 tensor of shape {@code [C, H, W]}
 * ({@code [1, 28, 28]} for Fashion-MNIST), the sample id {@code cohort-i:POSITION} (unique per
 * cohort, the same on every replay), and the true label, -1 for open-set noise: the label is for
 * evaluation only, and no adaptation method reads it. The record timestamp is the wall clock at
 * sending.
 *
 * <pre>{@code
 * try (Producer<CohortKey, InferenceSample> kafka = KafkaTraffic.connect(bootstrap, timeout)) {
 *   TrafficReport report = new TrafficProducer(kafka, Ticker.system())
 *       .run(plan, LabeledImages.read(images, labels), sent -> { });
 * }
 * }</pre>
 *
 * The producer is not closed here; its owner closes it. Not thread-safe.
 */
public final class TrafficProducer {

  /** Samples rendered per cohort at a time. */
  public static final int BATCH = 256;

  private final Producer<CohortKey, InferenceSample> producer;
  private final Ticker ticker;

  /**
   * @param producer where records go: a {@code KafkaProducer} from {@link KafkaTraffic#connect}
   *     or a {@code MockProducer}
   * @param ticker clocks to pace and stamp records with
   */
  public TrafficProducer(Producer<CohortKey, InferenceSample> producer, Ticker ticker) {
    this.producer = Objects.requireNonNull(producer, "producer");
    this.ticker = Objects.requireNonNull(ticker, "ticker");
  }

  /** The streams of the plan's cohorts, each cut at the plan's limit. */
  public static List<ShiftStream> streams(TrafficPlan plan, LabeledImages source) {
    final List<ShiftStream> streams = new ArrayList<>();
    for (int i = 0; i < plan.cohorts(); i++) {
      final ShiftStream stream = ShiftStream.open(plan.schedules().get(i), source, plan.seed() + i);
      streams.add(plan.limitPerCohort().isPresent()
          ? stream.limit(plan.limitPerCohort().getAsLong()) : stream);
    }
    return streams;
  }

  /**
   * Sends every cohort's stream, then flushes and waits for every acknowledgement.
   *
   * @param progress told the number of samples sent so far, now and then and at the end
   * @throws TrafficException naming the topic and the count sent, if Kafka refuses a record or a
   *     send fails
   */
  public TrafficReport run(TrafficPlan plan, LabeledImages source, LongConsumer progress)
      throws InterruptedException {
    final List<ShiftStream> streams = streams(plan, source);
    final List<Cursor> cursors = new ArrayList<>();
    for (int i = 0; i < streams.size(); i++) {
      cursors.add(new Cursor(plan.key(i), streams.get(i)));
    }
    final Pacer pacer = new Pacer(plan.rate(), ticker);
    final AtomicReference<Exception> failure = new AtomicReference<>();
    final long start = ticker.nanoTime();
    long sent = 0;
    boolean more = true;
    while (more) {
      more = false;
      for (Cursor cursor : cursors) {
        if (!cursor.hasNext()) {
          continue;
        }
        more = true;
        pacer.await();
        send(plan, cursor, failure, sent);
        sent++;
        if (sent % BATCH == 0) {
          progress.accept(sent);
        }
      }
    }
    flush(plan, failure, sent);
    progress.accept(sent);
    final Map<String, Long> perCohort = new LinkedHashMap<>();
    cursors.forEach(cursor -> perCohort.put(cursor.key.cohort(), cursor.sent));
    return new TrafficReport(plan.topic(), sent, perCohort,
        (ticker.nanoTime() - start) / 1e9);
  }

  private void send(TrafficPlan plan, Cursor cursor, AtomicReference<Exception> failure,
      long sent) {
    final ShiftSample sample = cursor.next();
    final InferenceSample value = record(cursor.key, sample, cursor.shape);
    try {
      producer.send(new ProducerRecord<>(plan.topic(), null, ticker.currentTimeMillis(),
          cursor.key, value), (metadata, error) -> {
            if (error != null) {
              failure.compareAndSet(null, error);
            }
          });
    } catch (KafkaException e) {
      throw failed(plan, sent, e);
    }
    cursor.sent++;
    if (failure.get() != null) {
      throw failed(plan, sent, failure.get());
    }
  }

  private void flush(TrafficPlan plan, AtomicReference<Exception> failure, long sent) {
    try {
      producer.flush();
    } catch (KafkaException e) {
      throw failed(plan, sent, e);
    }
    if (failure.get() != null) {
      throw failed(plan, sent, failure.get());
    }
  }

  /** The record of one sample. */
  static InferenceSample record(CohortKey key, ShiftSample sample, ImageShape shape) {
    return InferenceSample.newBuilder()
        .setModel(key.model())
        .setCohort(key.cohort())
        .setSampleId(key.cohort() + ":" + sample.position())
        .setDevice(null)
        .setInput(new Tensor(DType.UINT8,
            List.of(shape.channels(), shape.height(), shape.width()),
            ByteBuffer.wrap(sample.image())))
        .setLabel(sample.label())
        .build();
  }

  private static TrafficException failed(TrafficPlan plan, long sent, Exception cause) {
    return new TrafficException("sending to topic " + plan.topic() + " failed after " + sent
        + " samples: " + cause.getMessage(), cause);
  }

  /** One cohort's position in its stream, a rendered batch at a time. */
  private static final class Cursor {
    private final CohortKey key;
    private final ShiftStream stream;
    private final ImageShape shape;
    private ShiftBatch batch;
    private int index;
    private long sent;

    Cursor(CohortKey key, ShiftStream stream) {
      this.key = key;
      this.stream = stream;
      this.shape = stream.shape();
    }

    boolean hasNext() {
      return (batch != null && index < batch.size()) || stream.hasNext();
    }

    ShiftSample next() {
      if (batch == null || index == batch.size()) {
        batch = stream.next(BATCH);
        index = 0;
      }
      return batch.sample(index++);
    }
  }
}
