package io.attune.topology;

import io.attune.schemas.TopicId;
import io.attune.schemas.Topics;
import io.attune.schemas.TopicsConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.ValidString;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.ConfigValue;
import org.apache.kafka.streams.StreamsConfig;

/**
 * The worker's configuration, declared once. {@link #validate} reports every problem at once,
 * naming the keys; {@code docs/worker-config.md} is generated from {@link #DEFINITION}. Keys
 * prefixed {@code kafka.} are handed, without the prefix, to Kafka Streams and its clients (for
 * security settings, timeouts and the like).
 */
public final class WorkerConfig extends AbstractConfig {

  public static final String BOOTSTRAP_SERVERS_CONFIG = "bootstrap.servers";
  private static final String BOOTSTRAP_SERVERS_DOC = "Kafka brokers to connect to, host:port "
      + "comma-separated.";
  public static final String APPLICATION_ID_CONFIG = "application.id";
  private static final String APPLICATION_ID_DOC = "Kafka Streams application id: consumer group, "
      + "and prefix of the changelog topics. Workers with the same id share the cohorts.";
  public static final String CATALOG_FILE_CONFIG = "catalog.file";
  private static final String CATALOG_FILE_DOC = "JSON model catalog: model ids to bundles, "
      + "method, batch size, latency bound, per-cohort overrides (see docs/worker.md). Required "
      + "unless the command line names a single bundle.";
  public static final String STATE_DIR_CONFIG = "state.dir";
  private static final String STATE_DIR_DOC = "Directory of the local state stores (RocksDB).";
  public static final String PROCESSING_GUARANTEE_CONFIG = "processing.guarantee";
  private static final String PROCESSING_GUARANTEE_DOC = "exactly_once_v2 (default): a crash "
      + "never loses nor repeats a parameter version. at_least_once gives that up for latency.";
  public static final String STANDBY_REPLICAS_CONFIG = "num.standby.replicas";
  private static final String STANDBY_REPLICAS_DOC = "Warm copies of each cohort's state on "
      + "other workers, for fast fail-over.";
  public static final String STREAM_THREADS_CONFIG = "num.stream.threads";
  private static final String STREAM_THREADS_DOC = "Stream threads; each owns its own ONNX "
      + "Runtime sessions.";
  public static final String TOPIC_PARTITIONS_CONFIG = "topic.partitions";
  private static final String TOPIC_PARTITIONS_DOC = "Partitions of the topics the worker "
      + "creates when missing; cohorts spread over them.";
  public static final String TOPIC_REPLICATION_CONFIG = "topic.replication.factor";
  private static final String TOPIC_REPLICATION_DOC = "Replication factor of created topics; -1 "
      + "takes the broker's default.";
  public static final String SIGNING_KEY_FILE_CONFIG = "signing.key.file";
  private static final String SIGNING_KEY_FILE_DOC = "Ed25519 private key (PKCS#8 PEM) that "
      + "signs every parameter update. Edges verify with the public key.";
  public static final String SIGNING_PUBLIC_KEY_FILE_CONFIG = "signing.public.key.file";
  private static final String SIGNING_PUBLIC_KEY_FILE_DOC = "Its Ed25519 public key (X.509 "
      + "PEM), checked to match; empty means signing.key.file with '.pub' appended.";
  public static final String MAX_RECORD_BYTES_CONFIG = "max.record.bytes";
  private static final String MAX_RECORD_BYTES_DOC = "Largest traffic record accepted; larger "
      + "ones go to the dead-letter topic.";
  public static final String PUNCTUATE_INTERVAL_CONFIG = "batch.punctuate.interval.ms";
  private static final String PUNCTUATE_INTERVAL_DOC = "Interval, on the clock that "
      + "batch.latency.clock names, at which partial batches are checked against their "
      + "cohort's latency bound.";
  public static final String LATENCY_CLOCK_CONFIG = "batch.latency.clock";
  private static final String LATENCY_CLOCK_DOC = "The clock a cohort's latency bound "
      + "(maxLatencyMs) is measured on. stream-time: record timestamps; a partial batch is "
      + "adapted once a newer record of the same partition shows it is overdue, so a cohort "
      + "that goes quiet keeps its last samples until traffic resumes, and a replay after a "
      + "crash cuts exactly the same batches and reaches the same parameters. wall-clock: the "
      + "worker's clock since the batch's first sample arrived; a partial batch is adapted "
      + "within maxLatencyMs plus batch.punctuate.interval.ms even when no record follows, "
      + "but this gives up replay determinism: after a crash or a rebalance the batches may "
      + "be cut elsewhere, so versions stay 1, 2, 3, ... exactly once while the parameters "
      + "may differ from an uninterrupted run's.";
  public static final String HTTP_PORT_CONFIG = "http.port";
  private static final String HTTP_PORT_DOC = "Port of /health, /ready, /metrics and the "
      + "cohort API on 127.0.0.1 unless http.host says otherwise; 0 picks a free port, -1 "
      + "disables.";
  public static final String HTTP_HOST_CONFIG = "http.host";
  private static final String HTTP_HOST_DOC = "Address the HTTP server binds.";
  public static final String RUNTIME_THREADS_CONFIG = "runtime.threads";
  private static final String RUNTIME_THREADS_DOC = "ONNX Runtime intra-op threads per session; "
      + "0 uses every core.";
  public static final String RUNTIME_PROVIDER_CONFIG = "runtime.provider";
  private static final String RUNTIME_PROVIDER_DOC = "cpu, or cuda on a GPU node (needs the "
      + "onnxruntime_gpu build, see deploy/README.md).";

  public static final String DRIFT_MONITORING_CONFIG = "drift.monitoring.enabled";
  private static final String DRIFT_MONITORING_DOC = "Monitor each cohort's drift (see "
      + "docs/drift.md): per batch, one extra forward of the source model, drift signals, "
      + "change detectors and label-free accuracy estimates; DriftAlert records on the alerts "
      + "topic; and guarded publishing (the source parameters, as a new version, while the "
      + "adapted model looks unhealthy). Needs the bundle's source images and their labels "
      + "(prepare --source-images with --source-memory); a model without them is adapted "
      + "unmonitored, with a warning. false: every step publishes the adapted parameters.";

  public static final ConfigDef DEFINITION = definition();

  public WorkerConfig(Map<String, ?> props) {
    super(DEFINITION, props, false);
  }

  private static ConfigDef definition() {
    ConfigDef def = new ConfigDef()
        .define(BOOTSTRAP_SERVERS_CONFIG, Type.LIST, ConfigDef.NO_DEFAULT_VALUE,
            Importance.HIGH, BOOTSTRAP_SERVERS_DOC)
        .define(CATALOG_FILE_CONFIG, Type.STRING, "", Importance.HIGH, CATALOG_FILE_DOC)
        .define(SIGNING_KEY_FILE_CONFIG, Type.STRING, ConfigDef.NO_DEFAULT_VALUE,
            new ConfigDef.NonEmptyString(), Importance.HIGH, SIGNING_KEY_FILE_DOC)
        .define(SIGNING_PUBLIC_KEY_FILE_CONFIG, Type.STRING, "", Importance.HIGH,
            SIGNING_PUBLIC_KEY_FILE_DOC)
        .define(APPLICATION_ID_CONFIG, Type.STRING, "attune-worker",
            new ConfigDef.NonEmptyString(), Importance.HIGH, APPLICATION_ID_DOC)
        .define(PROCESSING_GUARANTEE_CONFIG, Type.STRING, StreamsConfig.EXACTLY_ONCE_V2,
            ValidString.in(StreamsConfig.EXACTLY_ONCE_V2, StreamsConfig.AT_LEAST_ONCE),
            Importance.MEDIUM, PROCESSING_GUARANTEE_DOC)
        .define(STATE_DIR_CONFIG, Type.STRING,
            Path.of(System.getProperty("java.io.tmpdir"), "attune-streams").toString(),
            Importance.MEDIUM, STATE_DIR_DOC)
        .define(STANDBY_REPLICAS_CONFIG, Type.INT, 0, Range.between(0, 10), Importance.MEDIUM,
            STANDBY_REPLICAS_DOC)
        .define(STREAM_THREADS_CONFIG, Type.INT, 1, Range.between(1, 64), Importance.MEDIUM,
            STREAM_THREADS_DOC)
        .define(TOPIC_PARTITIONS_CONFIG, Type.INT, 6, Range.between(1, 10_000),
            Importance.MEDIUM, TOPIC_PARTITIONS_DOC)
        .define(TOPIC_REPLICATION_CONFIG, Type.SHORT, (short) -1, Importance.MEDIUM,
            TOPIC_REPLICATION_DOC)
        .define(MAX_RECORD_BYTES_CONFIG, Type.INT, 1 << 20, Range.between(1, 64 << 20),
            Importance.LOW, MAX_RECORD_BYTES_DOC)
        .define(PUNCTUATE_INTERVAL_CONFIG, Type.LONG, 1_000L, Range.between(1, 3_600_000),
            Importance.LOW, PUNCTUATE_INTERVAL_DOC)
        .define(LATENCY_CLOCK_CONFIG, Type.STRING, "stream-time",
            ValidString.in("stream-time", "wall-clock"), Importance.LOW, LATENCY_CLOCK_DOC)
        .define(HTTP_PORT_CONFIG, Type.INT, 8080, Range.between(-1, 65_535), Importance.LOW,
            HTTP_PORT_DOC)
        .define(HTTP_HOST_CONFIG, Type.STRING, "127.0.0.1", Importance.LOW, HTTP_HOST_DOC)
        .define(RUNTIME_THREADS_CONFIG, Type.INT, 0, Range.between(0, 256), Importance.LOW,
            RUNTIME_THREADS_DOC)
        .define(RUNTIME_PROVIDER_CONFIG, Type.STRING, "cpu", ValidString.in("cpu", "cuda"),
            Importance.LOW, RUNTIME_PROVIDER_DOC)
        .define(DRIFT_MONITORING_CONFIG, Type.BOOLEAN, true, Importance.MEDIUM,
            DRIFT_MONITORING_DOC);
    def.define(TopicsConfig.PREFIX_CONFIG, Type.STRING, TopicsConfig.DEFAULT_PREFIX,
        Importance.MEDIUM, TopicsConfig.PREFIX_DOC);
    for (TopicId id : TopicId.values()) {
      def.define(id.configKey(), Type.STRING, null, Importance.MEDIUM, "Whole name of the "
          + id.role() + " topic, overriding " + TopicsConfig.PREFIX_CONFIG + " + '" + id.role()
          + "'.");
    }
    return def;
  }

  /**
   * Every problem of a configuration, one line each, naming the key(s); empty when it is
   * usable.
   */
  public static List<String> validate(Map<String, String> props) {
    List<String> problems = new ArrayList<>();
    for (ConfigValue value : DEFINITION.validate(props)) {
      for (String message : value.errorMessages()) {
        problems.add(message.startsWith(value.name()) || message.contains("\"" + value.name())
            ? message : value.name() + ": " + message);
      }
    }
    try {
      Topics.fromConfig(topicKeys(props));
    } catch (ConfigException e) {
      problems.add(e.getMessage());
    }
    return problems;
  }

  /** The topic catalogue with the configured names. */
  public Topics topics() {
    return Topics.fromConfig(topicKeys(originalsStrings()));
  }

  /** The keys that name topics ({@code topic.partitions} and the like are not names). */
  private static Map<String, String> topicKeys(Map<String, String> props) {
    Map<String, String> names = new HashMap<>();
    List<String> keys = new ArrayList<>(List.of(TopicsConfig.PREFIX_CONFIG));
    for (TopicId id : TopicId.values()) {
      keys.add(id.configKey());
    }
    keys.forEach(k -> {
      if (props.containsKey(k)) {
        names.put(k, props.get(k));
      }
    });
    return names;
  }

  /** Kafka Streams properties: ours, then every {@code kafka.}-prefixed key. */
  public Properties streamsProperties() {
    Properties p = new Properties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, getString(APPLICATION_ID_CONFIG));
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, String.join(",",
        getList(BOOTSTRAP_SERVERS_CONFIG)));
    p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, getString(PROCESSING_GUARANTEE_CONFIG));
    p.put(StreamsConfig.STATE_DIR_CONFIG, getString(STATE_DIR_CONFIG));
    p.put(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, getInt(STANDBY_REPLICAS_CONFIG));
    p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, getInt(STREAM_THREADS_CONFIG));
    p.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, (int) getShort(TOPIC_REPLICATION_CONFIG));
    // one adaptation step holds a batch for ~100-200 ms; the default 1 MB fetches are plenty
    p.put(StreamsConfig.producerPrefix("max.request.size"),
        Math.max(1 << 20, 2 * getInt(MAX_RECORD_BYTES_CONFIG)));
    p.putAll(originalsWithPrefix("kafka."));
    return p;
  }

  /** {@code docs/worker-config.md}: a title and {@link #referenceMarkdown()}. */
  public static String referenceDocument() {
    return "# Worker configuration reference\n\n"
        + "Generated from `WorkerConfig.DEFINITION`; regenerate with `./attune worker "
        + "--config-reference > docs/worker-config.md`.\n\n" + referenceMarkdown();
  }

  /** The configuration reference as a markdown table, generated from {@link #DEFINITION}. */
  public static String referenceMarkdown() {
    StringBuilder md = new StringBuilder("| key | type | default | valid values | meaning |\n"
        + "|---|---|---|---|---|\n");
    for (ConfigDef.ConfigKey key : new java.util.TreeMap<>(DEFINITION.configKeys()).values()) {
      String def = !key.hasDefault() ? "(required)"
          : key.defaultValue == null ? "(unset)" : String.valueOf(key.defaultValue);
      if (key.name.equals(STATE_DIR_CONFIG)) {
        def = "$TMPDIR/attune-streams";
      }
      md.append("| `").append(key.name).append("` | ").append(key.type.name().toLowerCase())
          .append(" | ").append(def.isEmpty() ? "\"\"" : "`" + def + "`").append(" | ")
          .append(key.validator == null ? "" : key.validator.toString().replace("|", "\\|"))
          .append(" | ").append(key.documentation).append(" |\n");
    }
    return md.toString();
  }
}
