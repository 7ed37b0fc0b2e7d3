package io.attune.schemas;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.apache.kafka.common.config.ConfigException;

/**
 * Which names Attune's topics have: each is {@code prefix + role} ({@code attune.traffic},
 * {@code attune.params}, ...) unless overridden by its whole name. Built from configuration keys:
 *
 * <pre>
 * topic.prefix=staging.          staging.traffic, staging.params, ... (default: attune.)
 * topic.traffic=edge-uploads     this one topic's whole name; the prefix does not apply
 * topic.params, topic.memory, topic.alerts, topic.predictions, topic.dlq   likewise
 * </pre>
 *
 * @param prefix put before each role to make the default names; may be empty
 * @param overrides whole names of the topics that do not follow the prefix
 */
public record TopicsConfig(String prefix, Map<TopicId, String> overrides) {

  /** Every key this class reads starts with this. */
  public static final String KEY_PREFIX = "topic.";
  /** Key of the prefix. */
  public static final String PREFIX_CONFIG = KEY_PREFIX + "prefix";
  /** Documentation of {@link #PREFIX_CONFIG}. */
  public static final String PREFIX_DOC = "Put before each topic's role (traffic, params, memory,"
      + " alerts, predictions, dlq) to make its name, unless topic.ROLE names it whole.";
  /** The prefix when none is configured. */
  public static final String DEFAULT_PREFIX = "attune.";

  private static final Pattern LEGAL = Pattern.compile("[a-zA-Z0-9._-]*");
  private static final int MAX_NAME = 249;

  /** @throws ConfigException listing every illegal or clashing name at once */
  public TopicsConfig {
    Objects.requireNonNull(prefix, "prefix");
    overrides = Map.copyOf(overrides);
    final List<String> problems = nameProblems(prefix, overrides);
    if (!problems.isEmpty()) {
      throw new ConfigException(String.join("; ", problems));
    }
  }

  /** {@code attune.traffic}, {@code attune.params}, ... */
  public static TopicsConfig defaults() {
    return new TopicsConfig(DEFAULT_PREFIX, Map.of());
  }

  /**
   * Reads {@code topic.prefix} and {@code topic.ROLE} from {@code config}, ignoring keys outside
   * {@code topic.}, so a worker may pass its whole configuration.
   *
   * @throws ConfigException listing every unknown {@code topic.} key, empty value, illegal name
   *     and name used twice, each with its key
   */
  public static TopicsConfig from(Map<String, String> config) {
    final List<String> problems = new ArrayList<>();
    String prefix = DEFAULT_PREFIX;
    final Map<TopicId, String> overrides = new EnumMap<>(TopicId.class);
    for (Map.Entry<String, String> entry : new TreeMap<>(config).entrySet()) {
      final String key = entry.getKey();
      final String value = entry.getValue() == null ? "" : entry.getValue().strip();
      if (!key.startsWith(KEY_PREFIX)) {
        continue;
      }
      if (key.equals(PREFIX_CONFIG)) {
        prefix = value;
        continue;
      }
      final TopicId id = idOf(key);
      if (id == null) {
        problems.add("unknown key " + key + " (topic keys: " + PREFIX_CONFIG + ", "
            + String.join(", ", Arrays.stream(TopicId.values())
                .map(TopicId::configKey).toList()) + ")");
      } else if (value.isEmpty()) {
        problems.add(key + " is empty; leave it out to use " + PREFIX_CONFIG);
      } else {
        overrides.put(id, value);
      }
    }
    problems.addAll(nameProblems(prefix, overrides));
    if (!problems.isEmpty()) {
      throw new ConfigException(String.join("; ", problems));
    }
    return new TopicsConfig(prefix, overrides);
  }

  /** The name of topic {@code id}: its override, or prefix + role. */
  public String nameOf(TopicId id) {
    return overrides.getOrDefault(id, prefix + id.role());
  }

  /** Illegal prefix, illegal names and names given to two roles, each with its key. */
  private static List<String> nameProblems(String prefix, Map<TopicId, String> overrides) {
    final List<String> problems = new ArrayList<>();
    final boolean prefixLegal = LEGAL.matcher(prefix).matches();
    if (!prefixLegal) {
      problems.add(PREFIX_CONFIG + "='" + prefix + "' may hold only letters, digits, '.', '_' "
          + "and '-'");
    }
    final Map<String, TopicId> seen = new LinkedHashMap<>();
    for (TopicId id : TopicId.values()) {
      final boolean overridden = overrides.containsKey(id);
      final String name = overridden ? overrides.get(id) : prefix + id.role();
      if (overridden || prefixLegal) {
        legalName(name).ifPresent(problem -> problems.add((overridden ? id.configKey()
            : PREFIX_CONFIG) + ": topic name '" + name + "' " + problem));
      }
      final TopicId clash = seen.putIfAbsent(name, id);
      if (clash != null) {
        problems.add(clash.configKey() + " and " + id.configKey() + " both name topic '" + name
            + "'");
      }
    }
    return problems;
  }

  private static TopicId idOf(String key) {
    for (TopicId id : TopicId.values()) {
      if (id.configKey().equals(key)) {
        return id;
      }
    }
    return null;
  }

  /** What makes {@code name} illegal as a Kafka topic name, if anything. */
  private static Optional<String> legalName(String name) {
    if (name.isEmpty()) {
      return Optional.of("is empty");
    }
    if (name.length() > MAX_NAME) {
      return Optional.of("is longer than " + MAX_NAME + " characters");
    }
    if (name.equals(".") || name.equals("..")) {
      return Optional.of("is reserved");
    }
    if (!LEGAL.matcher(name).matches()) {
      return Optional.of("may hold only letters, digits, '.', '_' and '-'");
    }
    return Optional.empty();
  }
}
