package io.attune.topology;

import io.attune.adaptation.method.Methods;
import io.attune.adaptation.runtime.RuntimeOptions;
import io.attune.schemas.signing.KeyFileException;
import io.attune.schemas.signing.SigningKeys;
import io.attune.schemas.Topics;
import io.attune.topology.adapt.ModelRegistry;
import io.attune.topology.http.WorkerHttp;
import io.attune.topology.metrics.WorkerMetrics;
import io.attune.topology.processor.SignedRecordCodecs;
import io.attune.topology.processor.DeadLetterOnProcessingError;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.security.KeyPair;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One adaptation worker: the catalog's bundles, the topics, the topology on Kafka Streams, its
 * metrics and HTTP API. {@link #start} checks everything it can before connecting (catalog,
 * bundles, key), so a bad setup fails with a message, not a stack trace from a stream thread.
 */
public final class Worker implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(Worker.class);

  private final ModelRegistry models;
  private final KafkaStreams streams;
  private final WorkerMetrics metrics;
  private final WorkerHttp http;

  private Worker(ModelRegistry models, KafkaStreams streams, WorkerMetrics metrics,
      WorkerHttp http) {
    this.models = models;
    this.streams = streams;
    this.metrics = metrics;
    this.http = http;
  }

  /**
   * Starts a worker; it runs until {@link #close}.
   *
   * @throws ModelCatalog.CatalogException for a bad catalog
   * @throws io.attune.adaptation.model.InvalidModelException for an unusable bundle
   * @throws IllegalStateException when Kafka cannot be reached to create the topics
   */
  public static Worker start(WorkerConfig config) {
    String file = config.getString(WorkerConfig.CATALOG_FILE_CONFIG);
    if (file.isEmpty()) {
      throw new ModelCatalog.CatalogException(WorkerConfig.CATALOG_FILE_CONFIG
          + " is not set: the worker needs a model catalog");
    }
    return start(config, ModelCatalog.load(Path.of(file), Methods.NAMES));
  }

  /** Starts a worker on a catalog given in code; {@code catalog.file} is ignored. */
  public static Worker start(WorkerConfig config, ModelCatalog catalog) {
    KeyPair signingKeys = signingKeys(config);
    int threads = config.getInt(WorkerConfig.RUNTIME_THREADS_CONFIG);
    threads = threads == 0 ? Runtime.getRuntime().availableProcessors() : threads;
    RuntimeOptions runtime = "cuda".equals(config.getString(WorkerConfig.RUNTIME_PROVIDER_CONFIG))
        ? new RuntimeOptions(threads, RuntimeOptions.Provider.CUDA, 0)
        : RuntimeOptions.cpu(threads);
    ModelRegistry models = new ModelRegistry(catalog, runtime,
        config.getBoolean(WorkerConfig.DRIFT_MONITORING_CONFIG));
    List<String> problems = models.validate();
    if (!problems.isEmpty()) {
      models.close();
      throw new ModelCatalog.CatalogException("the catalog configures methods that cannot run: "
          + String.join("; ", problems));
    }
    TopicSetup.ensureTopics(config);
    WorkerMetrics metrics = new WorkerMetrics();
    Topology topology = AdaptationTopology.build(settings(config), models,
        new SignedRecordCodecs(signingKeys), metrics);
    Properties props = config.streamsProperties();
    props.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG,
        DeadLetterOnProcessingError.class.getName());
    props.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, true);
    props.put(DeadLetterOnProcessingError.DLQ_TOPIC_CONFIG, config.topics().dlq().name());
    KafkaStreams streams = new KafkaStreams(topology, props);
    streams.setUncaughtExceptionHandler(e -> {
      LOG.error("stream thread failed; shutting the worker down (exactly-once recovery replays "
          + "the unfinished work on restart)", e);
      return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
    });
    metrics.bind(streams);
    streams.start();
    int port = config.getInt(WorkerConfig.HTTP_PORT_CONFIG);
    WorkerHttp http = port < 0 ? null : WorkerHttp.start(
        config.getString(WorkerConfig.HTTP_HOST_CONFIG), port, streams, metrics);
    return new Worker(models, streams, metrics, http);
  }

  /**
   * The worker's signing key pair: {@code signing.key.file} and its public key, in
   * {@code signing.public.key.file} or else beside it with {@code .pub} appended.
   */
  static KeyPair signingKeys(WorkerConfig config) {
    Path privateKey = Path.of(config.getString(WorkerConfig.SIGNING_KEY_FILE_CONFIG));
    String publicKey = config.getString(WorkerConfig.SIGNING_PUBLIC_KEY_FILE_CONFIG);
    try {
      return SigningKeys.readKeyPair(privateKey, publicKey == null || publicKey.isEmpty()
          ? Path.of(privateKey + ".pub") : Path.of(publicKey));
    } catch (KeyFileException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
  }

  static AdaptationTopology.Settings settings(WorkerConfig config) {
    Topics topics = config.topics();
    return new AdaptationTopology.Settings(topics.traffic().name(), topics.params().name(),
        topics.memory().name(), topics.predictions().name(), topics.alerts().name(), topics.dlq().name(),
        Duration.ofMillis(config.getLong(WorkerConfig.PUNCTUATE_INTERVAL_CONFIG)),
        config.getInt(WorkerConfig.MAX_RECORD_BYTES_CONFIG),
        "wall-clock".equals(config.getString(WorkerConfig.LATENCY_CLOCK_CONFIG))
            ? AdaptationTopology.LatencyClock.WALL_CLOCK
            : AdaptationTopology.LatencyClock.STREAM_TIME);
  }

  public KafkaStreams.State state() {
    return streams.state();
  }

  /** Whether the streams client has stopped for good (failed or closed). */
  public boolean stopped() {
    KafkaStreams.State s = streams.state();
    return s == KafkaStreams.State.ERROR || s == KafkaStreams.State.NOT_RUNNING;
  }

  public WorkerMetrics metrics() {
    return metrics;
  }

  /** Kafka's own metrics of this worker's clients (streams, producer, consumer, admin). */
  public Map<MetricName, ? extends Metric> kafkaMetrics() {
    return streams.metrics();
  }

  /** Port of the HTTP API, if it is enabled. */
  public Optional<Integer> httpPort() {
    return Optional.ofNullable(http).map(WorkerHttp::port);
  }

  /** Waits until the worker is running, or fails after {@code timeout}. */
  public void awaitRunning(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (streams.state() != KafkaStreams.State.RUNNING) {
      if (stopped() || System.nanoTime() > deadline) {
        throw new IllegalStateException("worker did not reach RUNNING within " + timeout
            + "; state " + streams.state());
      }
      Thread.sleep(50);
    }
  }

  @Override
  public void close() {
    if (http != null) {
      http.close();
    }
    streams.close(Duration.ofSeconds(30));
    metrics.close();
    models.close();
  }

  /** Problems of a configuration before any connection, one line each. */
  public static List<String> check(java.util.Map<String, String> props) {
    return WorkerConfig.validate(props);
  }
}
