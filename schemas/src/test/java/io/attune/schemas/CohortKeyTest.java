package io.attune.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.attune.schemas.serde.CohortKeySerde;
import io.attune.schemas.serde.MalformedRecordException;
import io.attune.schemas.serde.MalformedRecordException.Problem;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.serialization.Serdes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CohortKeyTest {

  @Test
  void formatAndParseAreInverse() {
    final CohortKey key = new CohortKey("fmnist-resnet", "site 3 (Zürich)");

    assertThat(key.format()).isEqualTo("fmnist-resnet/site 3 (Zürich)");
    assertThat(CohortKey.parse(key.format())).isEqualTo(key);
    assertThat(key).hasToString(key.format());
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "model", "/cohort", "model/", "/", "a/b/c", "a//b"})
  void textThatIsNotModelSlashCohortIsRefusedQuotingIt(String text) {
    assertThatThrownBy(() -> CohortKey.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("key '" + text + "' is not model/cohort: ");
  }

  @Test
  void partsMayNotBeEmptyNullOrHoldTheSeparator() {
    assertThatThrownBy(() -> new CohortKey("", "c")).hasMessage("model is empty");
    assertThatThrownBy(() -> new CohortKey("m", null)).hasMessage("cohort is null");
    assertThatThrownBy(() -> new CohortKey("m", "a/b")).hasMessage("cohort 'a/b' contains '/'");
  }

  @Test
  void theKeyOfASampleIsItsModelAndCohort() {
    assertThat(CohortKey.of(ExampleRecords.sample()))
        .isEqualTo(new CohortKey("fmnist-resnet", "site-3"));
  }

  @Test
  void serializedKeysAreTheBytesOfKafkasStringSerdeSoPartitioningAgrees() {
    final CohortKey key = new CohortKey("m", "cohört");

    final byte[] bytes = CohortKeySerde.get().serializer().serialize("t", key);

    assertThat(bytes).isEqualTo(Serdes.String().serializer().serialize("t", "m/cohört"));
    assertThat(CohortKeySerde.get().deserializer().deserialize("t", bytes)).isEqualTo(key);
    assertThat(CohortKeySerde.get().serializer().serialize("t", null)).isNull();
    assertThat(CohortKeySerde.get().deserializer().deserialize("t", null)).isNull();
  }

  @Test
  void undecodableKeysAreMalformedWithTheTopic() {
    assertThatThrownBy(() -> CohortKeySerde.get().deserializer().deserialize("attune.traffic",
        new byte[] {'m', '/', (byte) 0xFF}))
        .isInstanceOf(MalformedRecordException.class)
        .hasMessage("topic attune.traffic: key of 3 bytes is not UTF-8")
        .extracting(e -> ((MalformedRecordException) e).problem()).isEqualTo(Problem.BAD_KEY);
    assertThatThrownBy(() -> CohortKeySerde.get().deserializer().deserialize("attune.traffic",
        "no-slash".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(MalformedRecordException.class)
        .hasMessage("topic attune.traffic: key 'no-slash' is not model/cohort: it has no '/'");
  }
}
