package io.attune.simulators.traffic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.attune.schemas.Topics;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class KafkaTrafficTest {

  @Test
  void bootstrapListsOfHostPortAreAccepted() {
    assertThat(KafkaTraffic.checkBootstrap("localhost:9092, broker-2.example:19093"))
        .isEqualTo("localhost:9092,broker-2.example:19093");
    assertThat(KafkaTraffic.checkBootstrap("[::1]:9092")).isEqualTo("[::1]:9092");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "localhost", "localhost:", "localhost:0", "localhost:65536",
      "host:port", "a:1,", "a b:1"})
  void anythingElseIsRefusedQuotingTheEntry(String servers) {
    assertThatThrownBy(() -> KafkaTraffic.checkBootstrap(servers))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageEndingWith("is not HOST:PORT (port 1 to 65535)");
  }

  @Test
  void anUnreachableClusterFailsWithinTheTimeoutInOneSentence() {
    final long start = System.nanoTime();

    assertThatThrownBy(() -> KafkaTraffic.connect("127.0.0.1:1", Duration.ofSeconds(1),
        Topics.defaults().traffic()))
        .isInstanceOf(TrafficException.class)
        .hasMessageStartingWith("cannot reach Kafka at 127.0.0.1:1 within 1 s")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    assertThat((System.nanoTime() - start) / 1e9).isLessThan(10);
  }
}
