package io.attune.simulators.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.attune.schemas.CohortKey;
import io.attune.schemas.DType;
import io.attune.schemas.InferenceSample;
import io.attune.schemas.Topic;
import io.attune.schemas.Topics;
import io.attune.simulators.corruption.ImageShape;
import java.nio.ByteBuffer;
import java.util.List;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.junit.jupiter.api.Test;

class KafkaUplinkTest {

  private static final Topic<CohortKey, InferenceSample> TRAFFIC = Topics.defaults().traffic();

  private static UploadedSample sample(int label) {
    byte[] pixels = new byte[784];
    pixels[0] = (byte) 200;
    pixels[783] = 7;
    return new UploadedSample("fmnist", "site-a", "site-a-d0", "site-a-d0-12",
        ImageShape.gray(28, 28), pixels, label);
  }

  private static MockProducer<CohortKey, InferenceSample> producer(boolean autoComplete) {
    return new MockProducer<>(autoComplete, null, TRAFFIC.keySerde().serializer(),
        TRAFFIC.valueSerde().serializer());
  }

  @Test
  void uploadsAnInferenceSampleKeyedByModelAndCohortToTheTrafficTopic() {
    MockProducer<CohortKey, InferenceSample> producer = producer(true);
    try (KafkaUplink uplink = new KafkaUplink(producer, TRAFFIC.name())) {
      uplink.upload(sample(3));
      uplink.flush();
    }

    List<ProducerRecord<CohortKey, InferenceSample>> sent = producer.history();
    assertThat(sent).hasSize(1);
    ProducerRecord<CohortKey, InferenceSample> record = sent.get(0);
    assertThat(record.topic()).isEqualTo("attune.traffic");
    assertThat(record.key().format()).isEqualTo("fmnist/site-a");
    InferenceSample value = record.value();
    assertThat(value.getSampleId()).isEqualTo("site-a-d0-12");
    assertThat(value.getDevice()).isEqualTo("site-a-d0");
    assertThat(value.getLabel()).isEqualTo(3);
    assertThat(value.getInput().getDtype()).isEqualTo(DType.UINT8);
    assertThat(value.getInput().getShape()).containsExactly(1, 28, 28);
    ByteBuffer data = value.getInput().getData();
    assertThat(data.remaining()).isEqualTo(784);
    assertThat(data.get(0) & 0xFF).isEqualTo(200);
    assertThat(data.get(783)).isEqualTo((byte) 7);
  }

  @Test
  void anOpenSetSampleKeepsLabelMinusOneLikeTheTrafficSimulator() {
    assertThat(KafkaUplink.toRecord(sample(-1)).getLabel()).isEqualTo(-1);
  }

  @Test
  void theRecordSurvivesTheTrafficTopicsSerde() {
    InferenceSample record = KafkaUplink.toRecord(sample(5));
    byte[] bytes = TRAFFIC.valueSerde().serializer().serialize(TRAFFIC.name(), record);

    assertThat(TRAFFIC.valueSerde().deserializer().deserialize(TRAFFIC.name(), bytes))
        .isEqualTo(record);
  }

  @Test
  void aFailedSendFailsTheNextFlush() {
    MockProducer<CohortKey, InferenceSample> producer = producer(false);
    try (KafkaUplink uplink = new KafkaUplink(producer, TRAFFIC.name())) {
      uplink.upload(sample(1));
      producer.errorNext(new KafkaException("broker gone"));

      assertThatThrownBy(uplink::flush).isInstanceOf(KafkaException.class)
          .hasMessageContaining("attune.traffic").hasMessageContaining("broker gone");
    }
  }
}
