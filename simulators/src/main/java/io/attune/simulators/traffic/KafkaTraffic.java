package io.attune.simulators.traffic;

import io.attune.schemas.CohortKey;
import io.attune.schemas.InferenceSample;
import io.attune.schemas.Topic;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * The Kafka side of the traffic simulator: checks that a cluster answers, then opens an
 * idempotent producer ({@code acks=all}) with the traffic topic's serdes. Every wait is bounded
 * by the timeout given, so an unreachable cluster is a one-line error after that long rather than
 * a client retrying forever.
 */
public final class KafkaTraffic {

  private static final Pattern HOST_PORT =
      Pattern.compile("(\\[[0-9a-fA-F:.]+\\]|[^\\s:,\\[\\]]+):([0-9]{1,5})");

  private KafkaTraffic() {}

  /**
   * Checks a {@code bootstrap.servers} list: comma-separated {@code HOST:PORT} entries, ports 1
   * to 65535 ({@code [::1]:9092} for IPv6).
   *
   * @return the list without blanks around entries
   * @throws IllegalArgumentException quoting the entry that is not {@code HOST:PORT}
   */
  public static String checkBootstrap(String servers) {
    final StringBuilder clean = new StringBuilder();
    for (String entry : servers.split(",", -1)) {
      final String server = entry.strip();
      final var match = HOST_PORT.matcher(server);
      if (!match.matches() || Integer.parseInt(match.group(2)) < 1
          || Integer.parseInt(match.group(2)) > 65535) {
        throw new IllegalArgumentException("'" + server + "' is not HOST:PORT (port 1 to 65535)");
      }
      clean.append(clean.length() == 0 ? "" : ",").append(server);
    }
    return clean.toString();
  }

  /**
   * Checks that the cluster at {@code bootstrap} answers within {@code timeout} and that
   * {@code topic} exists, creating it with its configs (and the broker's default partitions and
   * replication) if not, then opens a producer for its keys and values. Creating the topic here,
   * rather than leaving it to the broker's auto-creation on the first send, gives it the
   * catalogue's retention and keeps the first sends from racing the new partitions' leader
   * election.
   *
   * @throws TrafficException saying the cluster cannot be reached within the timeout, or the
   *     topic cannot be created, with the client's reason
   */
  public static Producer<CohortKey, InferenceSample> connect(String bootstrap, Duration timeout,
      Topic<CohortKey, InferenceSample> topic) throws InterruptedException {
    prepare(bootstrap, timeout, topic);
    final Map<String, Object> config = new HashMap<>();
    config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    config.put(ProducerConfig.CLIENT_ID_CONFIG, "attune-traffic");
    config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, timeout.toMillis());
    try {
      return new KafkaProducer<>(config, topic.keySerde().serializer(),
          topic.valueSerde().serializer());
    } catch (KafkaException e) {
      throw new TrafficException("cannot open a producer to " + bootstrap + ": "
          + rootMessage(e), e);
    }
  }

  /**
   * Opens a TCP connection to one of the servers, so that nothing listening is reported in one
   * sentence rather than by the Kafka client's retry warnings.
   */
  private static void reachable(String bootstrap, Duration timeout) {
    final long deadline = System.nanoTime() + timeout.toNanos();
    String reason = "no server answered";
    for (String server : bootstrap.split(",")) {
      final var match = HOST_PORT.matcher(server);
      if (!match.matches()) {
        throw new IllegalArgumentException("'" + server + "' is not HOST:PORT");
      }
      final String host = match.group(1).replace("[", "").replace("]", "");
      final int port = Integer.parseInt(match.group(2));
      final long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress(host, port), (int) Math.max(1, left));
        return;
      } catch (UnknownHostException e) {
        reason = "unknown host " + host;
      } catch (IOException e) {
        reason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
      }
    }
    throw new TrafficException("cannot reach Kafka at " + bootstrap + " within "
        + seconds(timeout) + ": " + reason, null);
  }

  /** Asks the cluster for its id, which needs a broker to answer, then sees to the topic. */
  private static void prepare(String bootstrap, Duration timeout, Topic<?, ?> topic)
      throws InterruptedException {
    reachable(bootstrap, timeout);
    final int millis = Math.toIntExact(Math.max(1, timeout.toMillis()));
    final Map<String, Object> config = new HashMap<>();
    config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    config.put(AdminClientConfig.CLIENT_ID_CONFIG, "attune-traffic-admin");
    config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, millis);
    config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, millis);
    config.put(CommonClientConfigs.SOCKET_CONNECTION_SETUP_TIMEOUT_MS_CONFIG,
        Math.min(millis, 10_000));
    final Admin admin;
    try {
      admin = Admin.create(config);
    } catch (KafkaException e) {
      throw new TrafficException("cannot reach Kafka at " + bootstrap + ": " + rootMessage(e), e);
    }
    try {
      await(admin.describeCluster(new DescribeClusterOptions().timeoutMs(millis)).clusterId(),
          millis, "cannot reach Kafka at " + bootstrap + " within " + seconds(timeout));
      ensureTopic(admin, topic, millis, bootstrap);
    } finally {
      admin.close(Duration.ZERO);
    }
  }

  /** Creates the topic unless it exists, then waits until every partition has a leader. */
  private static void ensureTopic(Admin admin, Topic<?, ?> topic, int millis, String bootstrap)
      throws InterruptedException {
    final String failure = "cannot create topic " + topic.name() + " at " + bootstrap;
    if (!exists(admin, topic.name(), millis, bootstrap)) {
      try {
        await(admin.createTopics(List.of(topic.newTopic())).all(), millis, failure);
      } catch (TrafficException e) {
        if (!(e.getCause() instanceof TopicExistsException)) {
          throw e;
        }
      }
    }
    final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    while (!led(admin, topic.name(), millis, bootstrap)) {
      if (System.nanoTime() > deadline) {
        throw new TrafficException("topic " + topic.name() + " at " + bootstrap
            + " has partitions without a leader after " + millis + " ms", null);
      }
      Thread.sleep(100);
    }
  }

  private static boolean exists(Admin admin, String name, int millis, String bootstrap)
      throws InterruptedException {
    return await(admin.listTopics().names(), millis, "cannot list topics at " + bootstrap)
        .contains(name);
  }

  private static boolean led(Admin admin, String name, int millis, String bootstrap)
      throws InterruptedException {
    try {
      final TopicDescription description = await(admin.describeTopics(List.of(name))
          .topicNameValues().get(name), millis, "cannot describe topic " + name + " at "
          + bootstrap);
      return description.partitions().stream().allMatch(p -> p.leader() != null);
    } catch (TrafficException e) {
      if (e.getCause() instanceof UnknownTopicOrPartitionException) {
        return false;
      }
      throw e;
    }
  }

  /** The future's value, or a one-line TrafficException whose cause is the client's. */
  private static <T> T await(KafkaFuture<T> future, int millis, String failure)
      throws InterruptedException {
    try {
      return future.get(millis + 1000L, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new TrafficException(failure + ": " + rootMessage(e), e.getCause());
    } catch (TimeoutException e) {
      throw new TrafficException(failure, e);
    }
  }

  private static String seconds(Duration timeout) {
    final double s = timeout.toMillis() / 1000.0;
    return (s == Math.rint(s) ? Long.toString((long) s) : Double.toString(s)) + " s";
  }

  /** The message of the innermost cause, where clients put the actual reason. */
  static String rootMessage(Throwable error) {
    Throwable root = error;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    final String message = root.getMessage() == null ? root.getClass().getSimpleName()
        : root.getMessage();
    final int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }
}
