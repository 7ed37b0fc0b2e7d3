package io.attune.topology;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * Creates the worker's topics when they are missing: parameters and memory compacted (the
 * latest record per {@code model/cohort} is what a subscribing edge starts from), the others
 * deleted by time. Existing topics are left as they are.
 */
public final class TopicSetup {

  private TopicSetup() {}

  /**
   * @return the topics created (empty when all existed)
   * @throws IllegalStateException when the brokers cannot be reached or refuse, naming them
   */
  public static List<String> ensureTopics(WorkerConfig config) {
    Map<String, Object> adminProps = new java.util.HashMap<>(
        config.originalsWithPrefix("kafka."));
    adminProps.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
        String.join(",", config.getList(WorkerConfig.BOOTSTRAP_SERVERS_CONFIG)));
    adminProps.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000);
    int partitions = config.getInt(WorkerConfig.TOPIC_PARTITIONS_CONFIG);
    short replication = config.getShort(WorkerConfig.TOPIC_REPLICATION_CONFIG);
    List<NewTopic> wanted = new ArrayList<>();
    config.topics().all().forEach(t -> wanted.add(t.newTopic(partitions, replication)));
    try (Admin admin = Admin.create(adminProps)) {
      Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
      List<NewTopic> missing = wanted.stream().filter(t -> !existing.contains(t.name()))
          .toList();
      if (!missing.isEmpty()) {
        try {
          admin.createTopics(missing).all().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
          if (!(e.getCause() instanceof TopicExistsException)) {
            throw e;
          }
        }
      }
      return missing.stream().map(NewTopic::name).toList();
    } catch (ExecutionException e) {
      throw new IllegalStateException("cannot create topics on "
          + adminProps.get(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG) + ": "
          + e.getCause().getMessage(), e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException("no answer from Kafka at "
          + adminProps.get(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG) + " within 30 s", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating topics", e);
    }
  }
}
