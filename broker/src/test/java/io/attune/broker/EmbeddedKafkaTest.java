package io.attune.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Exit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real broker per test class, and fresh ones for the lifecycle cases. */
class EmbeddedKafkaTest {

  private static final Duration RECEIVE_TIMEOUT = Duration.ofSeconds(30);

  private static EmbeddedKafka kafka;

  @BeforeAll
  static void startBroker() {
    kafka = EmbeddedKafka.start(EmbeddedKafka.Options.defaults());
  }

  @AfterAll
  static void closeBroker() {
    kafka.close();
  }

  @Test
  void readCommittedConsumerSeesCommittedTransactionsOnly() {
    kafka.createTopics(new NewTopic("transactions", 1, (short) 1));

    try (KafkaProducer<String, String> producer = transactionalProducer(kafka, "tx-test")) {
      producer.initTransactions();
      sendInTransaction(producer, "transactions", List.of("a", "b"));
      producer.beginTransaction();
      producer.send(new ProducerRecord<>("transactions", "k", "aborted"));
      producer.abortTransaction();
      sendInTransaction(producer, "transactions", List.of("c"));
    }

    assertThat(readCommitted(kafka, "transactions", 3)).containsExactly("a", "b", "c");
  }

  @Test
  void createsCompactedTopics() throws Exception {
    kafka.createTopics(new NewTopic("compacted", 2, (short) 1)
        .configs(Map.of("cleanup.policy", "compact")));

    try (Admin admin = admin(kafka)) {
      ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC, "compacted");
      Config config = admin.describeConfigs(List.of(topic)).all().get().get(topic);
      assertThat(config.get("cleanup.policy").value()).isEqualTo("compact");
      assertThat(admin.describeTopics(List.of("compacted")).allTopicNames().get()
          .get("compacted").partitions()).hasSize(2);
    }
  }

  @Test
  void brokerIsConfiguredForTransactionsOnOneNode() throws Exception {
    try (Admin admin = admin(kafka)) {
      ConfigResource broker = new ConfigResource(ConfigResource.Type.BROKER, "1");
      Config config = admin.describeConfigs(List.of(broker)).all().get().get(broker);
      assertThat(config.get("transaction.state.log.replication.factor").value()).isEqualTo("1");
      assertThat(config.get("transaction.state.log.min.isr").value()).isEqualTo("1");
      assertThat(config.get("offsets.topic.replication.factor").value()).isEqualTo("1");
      assertThat(config.get("group.initial.rebalance.delay.ms").value()).isEqualTo("0");
      assertThat(config.get("auto.create.topics.enable").value()).isEqualTo("false");
      assertThat(config.get("listeners").value()).contains("127.0.0.1:" + kafka.port());
    }
  }

  @Test
  void twoBrokersRunSideBySideOnDifferentPorts() throws Exception {
    try (EmbeddedKafka second = EmbeddedKafka.start(EmbeddedKafka.Options.defaults())) {
      second.createTopics(new NewTopic("only-on-second", 1, (short) 1));

      assertThat(second.port()).isNotEqualTo(kafka.port());
      assertThat(second.logDirectory()).isNotEqualTo(kafka.logDirectory());
      try (Admin first = admin(kafka); Admin other = admin(second)) {
        assertThat(other.listTopics().names().get()).contains("only-on-second");
        assertThat(first.listTopics().names().get()).doesNotContain("only-on-second");
      }
    }
  }

  @Test
  void startsAgainAfterCloseOnTheSamePortAndKeptDirectory(@TempDir Path directory) {
    EmbeddedKafka.Options options = EmbeddedKafka.Options.defaults().withLogDirectory(directory);
    int port;
    try (EmbeddedKafka first = EmbeddedKafka.start(options)) {
      port = first.port();
      first.createTopics(new NewTopic("kept", 1, (short) 1));
      try (KafkaProducer<String, String> producer = transactionalProducer(first, "kept-tx")) {
        producer.initTransactions();
        sendInTransaction(producer, "kept", List.of("before restart"));
      }
    }
    assertThat(directory).isDirectory();

    try (EmbeddedKafka second = EmbeddedKafka.start(options.withPort(port))) {
      assertThat(second.port()).isEqualTo(port);
      assertThat(readCommitted(second, "kept", 1)).containsExactly("before restart");
    }
  }

  @Test
  void closeIsIdempotentAndDeletesTheTemporaryDirectory() {
    EmbeddedKafka broker = EmbeddedKafka.start(EmbeddedKafka.Options.defaults());
    Path directory = broker.logDirectory();
    assertThat(directory).isDirectory();

    broker.close();
    broker.close();

    assertThat(directory).doesNotExist();
  }

  @Test
  void startOnATakenPortFailsWithTheReason() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      int port = taken.getLocalPort();

      assertThatThrownBy(() -> EmbeddedKafka.start(EmbeddedKafka.Options.defaults().withPort(port)))
          .isInstanceOf(EmbeddedKafka.StartException.class)
          .hasMessageContaining("127.0.0.1:" + port)
          .hasMessageContaining("Address already in use");
    }
    kafka.awaitReady(Duration.ofSeconds(10));
  }

  @Test
  void startOnAFileInsteadOfADirectoryFailsWithThePath(@TempDir Path directory) throws Exception {
    Path file = Files.writeString(directory.resolve("not-a-directory"), "x");

    assertThatThrownBy(() -> EmbeddedKafka.start(
        EmbeddedKafka.Options.defaults().withLogDirectory(file)))
        .isInstanceOf(EmbeddedKafka.StartException.class)
        .hasMessageContaining(file + " is a file, not a directory");
  }

  @Test
  void startWithAnInvalidBrokerPropertyFailsNamingIt() {
    assertThatThrownBy(() -> EmbeddedKafka.start(
        EmbeddedKafka.Options.defaults().withBrokerProperty("num.io.threads", "many")))
        .isInstanceOf(EmbeddedKafka.StartException.class)
        .hasMessageContaining("Invalid value many for configuration num.io.threads");
  }

  @Test
  void startOnADirectoryInUseByAnotherBrokerFailsAndLeavesThatBrokerRunning(
      @TempDir Path directory) throws Exception {
    try (EmbeddedKafka owner = EmbeddedKafka.start(
        EmbeddedKafka.Options.defaults().withLogDirectory(directory))) {
      assertThatThrownBy(() -> EmbeddedKafka.start(
          EmbeddedKafka.Options.defaults().withLogDirectory(directory)))
          .isInstanceOf(EmbeddedKafka.StartException.class)
          .hasMessageContaining(directory + " is in use");

      owner.awaitReady(Duration.ofSeconds(10));
      owner.createTopics(new NewTopic("still-serving", 1, (short) 1));
      try (Admin admin = admin(owner)) {
        assertThat(admin.listTopics().names().get()).contains("still-serving");
      }
    }
  }

  @Test
  void kafkaAskingToHaltOrExitThrowsInsteadWhileABrokerRuns() {
    assertThatThrownBy(() -> Exit.halt(1, "simulated fatal fault"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("simulated fatal fault")
        .hasMessageContaining("the JVM stays up");
    assertThatThrownBy(() -> Exit.exit(1))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("status 1");
  }

  @Test
  void optionsReportEveryProblemAtOnce() {
    assertThatThrownBy(() -> new EmbeddedKafka.Options(Optional.empty(), 70_000, 0,
        Map.of("listeners", "PLAINTEXT://0.0.0.0:9092", "node.id", "2", "log.retention.ms", "1")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("port must be 0 (a free port) or 1..65535, was 70000")
        .hasMessageContaining("partitions must be at least 1, was 0")
        .hasMessageContaining("'listeners'")
        .hasMessageContaining("'node.id'")
        .message().doesNotContain("log.retention.ms");
  }

  private static KafkaProducer<String, String> transactionalProducer(EmbeddedKafka broker,
      String transactionalId) {
    return new KafkaProducer<>(Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
        ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId),
        new StringSerializer(), new StringSerializer());
  }

  private static void sendInTransaction(KafkaProducer<String, String> producer, String topic,
      List<String> values) {
    producer.beginTransaction();
    for (String value : values) {
      producer.send(new ProducerRecord<>(topic, "k", value));
    }
    producer.commitTransaction();
  }

  private static List<String> readCommitted(EmbeddedKafka broker, String topic, int count) {
    List<String> values = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
        ConsumerConfig.GROUP_ID_CONFIG, "reader-" + topic,
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
        new StringDeserializer(), new StringDeserializer())) {
      consumer.subscribe(Set.of(topic));
      long deadline = System.nanoTime() + RECEIVE_TIMEOUT.toNanos();
      while (values.size() < count && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
          values.add(record.value());
        }
      }
    }
    return values;
  }

  private static Admin admin(EmbeddedKafka broker) {
    return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
        broker.bootstrapServers()));
  }
}
