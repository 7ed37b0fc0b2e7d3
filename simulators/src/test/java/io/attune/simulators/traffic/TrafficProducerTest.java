package io.attune.simulators.traffic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.attune.schemas.CohortKey;
import io.attune.schemas.DType;
import io.attune.schemas.InferenceSample;
import io.attune.schemas.Topic;
import io.attune.schemas.Topics;
import io.attune.simulators.FashionMnist;
import io.attune.simulators.schedule.LabeledImages;
import io.attune.simulators.schedule.Schedule;
import io.attune.simulators.schedule.ShiftBatch;
import io.attune.simulators.schedule.ShiftStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.junit.jupiter.api.Test;

class TrafficProducerTest {

  private static final LabeledImages SOURCE = FashionMnist.test().head(64);
  private static final Topic<CohortKey, InferenceSample> TRAFFIC = Topics.defaults().traffic();
  private static final Schedule NOISE = Schedule.parse("gaussian_noise:3");

  private final FakeTicker ticker = new FakeTicker();
  private final MockProducer<CohortKey, InferenceSample> kafka = new MockProducer<>(true, null,
      TRAFFIC.keySerde().serializer(), TRAFFIC.valueSerde().serializer());

  private static TrafficPlan plan(List<Schedule> schedules, double rate, long limit) {
    return new TrafficPlan("fmnist-resnet", schedules, 42, rate, OptionalLong.of(limit),
        TRAFFIC.name());
  }

  private TrafficReport run(TrafficPlan plan) throws InterruptedException {
    return new TrafficProducer(kafka, ticker).run(plan, SOURCE, sent -> { });
  }

  @Test
  void cohortsTakeTurnsEachKeyedModelSlashCohort() throws InterruptedException {
    final TrafficReport report = run(plan(TrafficPlan.perCohort(List.of(NOISE), 3), 0, 20));

    assertThat(report.samples()).isEqualTo(60);
    assertThat(report.perCohort()).containsExactly(java.util.Map.entry("cohort-0", 20L),
        java.util.Map.entry("cohort-1", 20L), java.util.Map.entry("cohort-2", 20L));
    assertThat(kafka.history()).hasSize(60).allSatisfy(record ->
        assertThat(record.topic()).isEqualTo("attune.traffic"));
    for (int i = 0; i < 60; i++) {
      assertThat(kafka.history().get(i).key())
          .isEqualTo(new CohortKey("fmnist-resnet", "cohort-" + (i % 3)));
    }
    assertThat(kafka.flushed()).isTrue();
  }

  @Test
  void eachSampleIsItsCohortsStreamAsAUint8TensorWithItsLabel() throws InterruptedException {
    run(plan(List.of(NOISE), 0, 30));
    final ShiftBatch expected = ShiftStream.open(NOISE, SOURCE, 42).next(30);

    for (int i = 0; i < 30; i++) {
      final InferenceSample sample = kafka.history().get(i).value();
      assertThat(sample.getModel()).isEqualTo("fmnist-resnet");
      assertThat(sample.getCohort()).isEqualTo("cohort-0");
      assertThat(sample.getSampleId()).isEqualTo("cohort-0:" + i);
      assertThat(sample.getDevice()).isNull();
      assertThat(sample.getLabel()).isEqualTo(expected.labels()[i]);
      assertThat(sample.getInput().getDtype()).isEqualTo(DType.UINT8);
      assertThat(sample.getInput().getShape()).containsExactly(1, 28, 28);
      assertThat(sample.getInput().getData()).isEqualTo(ByteBuffer.wrap(expected.sample(i).image()));
    }
  }

  @Test
  void cohortsWithOneScheduleSeeDifferentSamplesAndIdsNeverRepeat() throws InterruptedException {
    run(plan(TrafficPlan.perCohort(List.of(NOISE), 2), 0, 32));

    final List<ByteBuffer> cohort0 = new ArrayList<>();
    final List<ByteBuffer> cohort1 = new ArrayList<>();
    final HashSet<String> ids = new HashSet<>();
    for (ProducerRecord<CohortKey, InferenceSample> record : kafka.history()) {
      (record.key().cohort().equals("cohort-0") ? cohort0 : cohort1)
          .add(record.value().getInput().getData());
      assertThat(ids.add(record.value().getSampleId())).isTrue();
    }
    assertThat(cohort0).isNotEqualTo(cohort1);
  }

  @Test
  void eachCohortMayPlayItsOwnSchedule() throws InterruptedException {
    final Schedule fog = Schedule.parse("continual:fog:5,contrast:5");
    run(plan(List.of(NOISE, fog), 0, 10));
    final ShiftBatch expected = ShiftStream.open(fog, SOURCE, 43).next(10);

    final List<InferenceSample> cohort1 = kafka.history().stream()
        .filter(record -> record.key().cohort().equals("cohort-1"))
        .map(ProducerRecord::value).toList();
    assertThat(cohort1).hasSize(10);
    for (int i = 0; i < 10; i++) {
      assertThat(cohort1.get(i).getInput().getData())
          .isEqualTo(ByteBuffer.wrap(expected.sample(i).image()));
    }
  }

  @Test
  void openSetSamplesAreLabelledMinusOne() throws InterruptedException {
    run(plan(List.of(Schedule.parse("gaussian_noise:1+openset:0.5")), 0, 40));

    assertThat(kafka.history()).extracting(record -> record.value().getLabel())
        .contains(-1).anySatisfy(label -> assertThat(label).isBetween(0, 9));
  }

  @Test
  void withoutALimitEveryCohortSendsItsWholeStream() throws InterruptedException {
    final TrafficPlan all = new TrafficPlan("m", List.of(NOISE, NOISE), 0, 0,
        OptionalLong.empty(), "t");

    assertThat(run(all).samples()).isEqualTo(2L * SOURCE.count());
  }

  @Test
  void recordsRoundTripThroughTheTrafficTopicsSerdes() throws InterruptedException {
    run(plan(List.of(NOISE), 0, 3));
    final ProducerRecord<CohortKey, InferenceSample> record = kafka.history().get(0);

    final byte[] key = TRAFFIC.keySerde().serializer().serialize(TRAFFIC.name(), record.key());
    final byte[] value = TRAFFIC.valueSerde().serializer().serialize(TRAFFIC.name(),
        record.value());

    assertThat(new String(key, java.nio.charset.StandardCharsets.UTF_8))
        .isEqualTo("fmnist-resnet/cohort-0");
    assertThat(TRAFFIC.valueSerde().deserializer().deserialize(TRAFFIC.name(), value))
        .isEqualTo(record.value());
  }

  @Test
  void theRateIsKeptOverAllCohortsAndTimestampsFollowIt() throws InterruptedException {
    final TrafficReport report = run(plan(TrafficPlan.perCohort(List.of(NOISE), 2), 100, 50));

    assertThat(ticker.elapsedSeconds()).isEqualTo(0.99);
    assertThat(report.seconds()).isEqualTo(0.99);
    assertThat(ticker.sleeps).hasSize(99).containsOnly(10_000_000L);
    final List<Long> stamps = kafka.history().stream().map(ProducerRecord::timestamp).toList();
    assertThat(stamps.get(0)).isEqualTo(FakeTicker.EPOCH_MILLIS);
    assertThat(stamps.get(99)).isEqualTo(FakeTicker.EPOCH_MILLIS + 990);
  }

  @Test
  void progressIsReportedPerBatchAndAtTheEnd() throws InterruptedException {
    final List<Long> progress = new ArrayList<>();

    final Schedule hundred = Schedule.parse("gaussian_noise:3+samples:100");
    new TrafficProducer(kafka, ticker).run(plan(TrafficPlan.perCohort(List.of(hundred), 3), 0,
        1000), SOURCE, progress::add);

    assertThat(progress).containsExactly(256L, 300L);
  }

  @Test
  void aRecordKafkaRefusesStopsTheRunNamingTopicAndCount() {
    final MockProducer<CohortKey, InferenceSample> refusing = new MockProducer<>(true, null,
        TRAFFIC.keySerde().serializer(), TRAFFIC.valueSerde().serializer()) {
      @Override
      public synchronized Future<RecordMetadata> send(
          ProducerRecord<CohortKey, InferenceSample> record, Callback callback) {
        if (history().size() == 5) {
          callback.onCompletion(null, new RecordTooLargeException("record is too large"));
          return CompletableFuture.failedFuture(new RecordTooLargeException("too large"));
        }
        return super.send(record, callback);
      }
    };

    assertThatThrownBy(() -> new TrafficProducer(refusing, ticker)
        .run(plan(List.of(NOISE), 0, 20), SOURCE, sent -> { }))
        .isInstanceOf(TrafficException.class)
        .hasMessage("sending to topic attune.traffic failed after 5 samples: record is too large");
    assertThat(refusing.history()).hasSize(5);
  }

  @Test
  void aSendThatThrowsStopsTheRun() {
    kafka.sendException = new KafkaException("producer is closed");

    assertThatThrownBy(() -> run(plan(List.of(NOISE), 0, 20)))
        .isInstanceOf(TrafficException.class)
        .hasMessage("sending to topic attune.traffic failed after 0 samples: producer is closed");
  }

  @Test
  void planValuesOutOfRangeAreNamed() {
    assertThatThrownBy(() -> plan(List.of(NOISE), -2, 5)).hasMessageContaining("got -2.0");
    assertThatThrownBy(() -> plan(List.of(NOISE), 0, 0))
        .hasMessage("limit must be at least 1, got 0");
    assertThatThrownBy(() -> new TrafficPlan("a/b", List.of(NOISE), 0, 0, OptionalLong.empty(),
        "t")).hasMessage("model 'a/b' contains '/'");
    assertThatThrownBy(() -> TrafficPlan.perCohort(List.of(NOISE, NOISE), 3))
        .hasMessage("2 schedules for 3 cohorts; give one schedule for all cohorts or one per "
            + "cohort");
    assertThatThrownBy(() -> TrafficPlan.perCohort(List.of(NOISE), 0))
        .hasMessage("cohorts must be at least 1, got 0");
  }
}
