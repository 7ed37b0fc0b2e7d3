package io.attune.simulators.fleet;

import io.attune.schemas.CohortKey;
import io.attune.schemas.DType;
import io.attune.schemas.InferenceSample;
import io.attune.schemas.Tensor;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;

/**
 * Uploads to the traffic topic: one {@link InferenceSample} per sample, keyed
 * {@code model/cohort} (so the default partitioner keeps a cohort in one partition, in order),
 * with UINT8 pixels of shape {@code [C, H, W]} and the label for evaluation. A failed send fails
 * the next {@link #upload} or {@link #flush} with its cause.
 */
public final class KafkaUplink implements Uplink {

  private final Producer<CohortKey, InferenceSample> producer;
  private final String topic;
  private final AtomicReference<Exception> failure = new AtomicReference<>();

  /**
   * Uploads with {@code producer} (e.g. from
   * {@link io.attune.simulators.traffic.KafkaTraffic#connect}) to {@code topic}; the uplink owns
   * and closes the producer.
   */
  public KafkaUplink(Producer<CohortKey, InferenceSample> producer, String topic) {
    this.producer = producer;
    this.topic = topic;
  }

  /**
   * The record of a sample; an open-set sample keeps its label -1, as the traffic simulator
   * writes it.
   */
  public static InferenceSample toRecord(UploadedSample s) {
    return InferenceSample.newBuilder()
        .setModel(s.model())
        .setCohort(s.cohort())
        .setSampleId(s.sampleId())
        .setDevice(s.device())
        .setInput(Tensor.newBuilder()
            .setDtype(DType.UINT8)
            .setShape(List.of(s.shape().channels(), s.shape().height(), s.shape().width()))
            .setData(ByteBuffer.wrap(s.pixels().clone()))
            .build())
        .setLabel(s.label())
        .build();
  }

  @Override
  public void upload(UploadedSample sample) {
    rethrow();
    producer.send(new ProducerRecord<>(topic, new CohortKey(sample.model(), sample.cohort()),
        toRecord(sample)), (metadata, e) -> {
          if (e != null) {
            failure.compareAndSet(null, e);
          }
        });
  }

  @Override
  public void flush() {
    producer.flush();
    rethrow();
  }

  private void rethrow() {
    Exception e = failure.get();
    if (e != null) {
      throw new KafkaException("uploading to " + topic + " failed: " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    producer.close();
  }
}
