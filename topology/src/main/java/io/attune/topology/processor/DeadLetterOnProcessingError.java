package io.attune.topology.processor;

import io.attune.schemas.DeadLetter;
import io.attune.schemas.RejectReason;
import io.attune.schemas.serde.RecordType;
import io.attune.topology.TopologyNames;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kafka Streams' processing exception handler: a record that throws in validation (a bug or a
 * record no rule foresaw) becomes a {@code PROCESSING_ERROR} dead letter and the stream goes on.
 * An exception in the adaptation step fails the task instead: the step is a batch, not a record,
 * and exactly-once recovery replays it from the last commit rather than losing the batch.
 */
public final class DeadLetterOnProcessingError implements ProcessingExceptionHandler {

  /** Streams config key carrying the dead-letter topic to this handler. */
  public static final String DLQ_TOPIC_CONFIG = "attune.dlq.topic";

  private static final Logger LOG = LoggerFactory.getLogger(DeadLetterOnProcessingError.class);
  private String topic;

  @Override
  public void configure(Map<String, ?> configs) {
    Object t = configs.get(DLQ_TOPIC_CONFIG);
    if (t == null) {
      throw new IllegalArgumentException(DLQ_TOPIC_CONFIG + " is not set");
    }
    topic = t.toString();
  }

  @Override
  public Response handleError(ErrorHandlerContext context, Record<?, ?> record,
      Exception exception) {
    if (!TopologyNames.VALIDATE.equals(context.processorNodeId())) {
      LOG.error("processing failed in {} at {}-{}@{}; failing the task so that it is replayed",
          context.processorNodeId(), context.topic(), context.partition(), context.offset(),
          exception);
      return Response.fail();
    }
    byte[] key = context.sourceRawKey();
    byte[] value = context.sourceRawValue();
    DeadLetter letter = DeadLetter.newBuilder()
        .setReason(RejectReason.PROCESSING_ERROR)
        .setDetail(exception.getClass().getSimpleName() + ": " + exception.getMessage())
        .setSourceTopic(context.topic())
        .setSourcePartition(context.partition())
        .setSourceOffset(context.offset())
        .setKey(key == null ? null : ByteBuffer.wrap(key))
        .setValue(value == null ? null : ByteBuffer.wrap(value))
        .setRejectedAt(Instant.ofEpochMilli(context.timestamp()))
        .build();
    return Response.resume(List.of(new ProducerRecord<>(topic, key, RecordType.DEAD_LETTER.codec().encode(letter))));
  }
}
