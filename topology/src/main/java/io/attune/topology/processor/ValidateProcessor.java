package io.attune.topology.processor;

import io.attune.schemas.DeadLetter;
import io.attune.topology.TopologyNames;
import java.nio.ByteBuffer;
import java.time.Instant;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * First stop of every traffic record: valid samples go on to adaptation under their cohort key,
 * anything else becomes a {@link DeadLetter} with its reason and origin, and the stream goes on.
 */
public final class ValidateProcessor implements Processor<byte[], byte[], byte[], byte[]> {

  private final TrafficValidator validator;
  private final RecordCodecs codecs;
  private final StepObserver observer;
  private ProcessorContext<byte[], byte[]> context;

  public ValidateProcessor(TrafficValidator validator, RecordCodecs codecs,
      StepObserver observer) {
    this.validator = validator;
    this.codecs = codecs;
    this.observer = observer;
  }

  @Override
  public void init(ProcessorContext<byte[], byte[]> context) {
    this.context = context;
  }

  @Override
  public void process(Record<byte[], byte[]> record) {
    TrafficValidator.Verdict verdict = validator.check(record.key(), record.value());
    if (verdict instanceof TrafficValidator.Valid valid) {
      context.forward(record.withKey(valid.cohortKey().getBytes(
          java.nio.charset.StandardCharsets.UTF_8)), TopologyNames.ADAPT);
      return;
    }
    TrafficValidator.Rejected rejected = (TrafficValidator.Rejected) verdict;
    RecordMetadata origin = context.recordMetadata().orElseThrow();
    boolean oversize = rejected.reason() == io.attune.schemas.RejectReason.OVERSIZE;
    DeadLetter letter = DeadLetter.newBuilder()
        .setReason(rejected.reason())
        .setDetail(rejected.detail())
        .setSourceTopic(origin.topic())
        .setSourcePartition(origin.partition())
        .setSourceOffset(origin.offset())
        .setKey(record.key() == null ? null : ByteBuffer.wrap(record.key()))
        .setValue(oversize || record.value() == null ? null : ByteBuffer.wrap(record.value()))
        .setSampleId(rejected.sampleId())
        .setRejectedAt(Instant.ofEpochMilli(record.timestamp()))
        .build();
    context.forward(record.withValue(codecs.encode(letter)), TopologyNames.DLQ_SINK);
    observer.rejected(rejected.reason());
  }
}
