package io.attune.broker;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import kafka.server.BrokerServer;
import kafka.server.ControllerServer;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.server.SharedServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.metrics.Metrics;
import org.apache.kafka.common.utils.AppInfoParser;
import org.apache.kafka.common.utils.Exit;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;
import org.apache.kafka.server.fault.FaultHandlerException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An in-process, single-node Kafka cluster in KRaft mode, from Kafka's own server classes at the
 * version the build pins: one server that is both broker and controller, listening on
 * {@code 127.0.0.1} only, for the embedded demo and the integration tests.
 *
 * <p>It is configured for one node so that everything Attune needs works unchanged: transactions
 * and {@code exactly_once_v2} (the transaction state log and the offsets topic have replication
 * factor 1 and min ISR 1), consumer and Streams groups (no initial rebalance delay), and
 * compacted topics. Topics are not auto-created: create them with {@link #createTopics}, as the
 * application does on a real cluster, so that a missing topic or a wrong cleanup policy shows up
 * here rather than in production.
 *
 * <p>{@link #start} formats the storage in-process (a new cluster id, the newest production
 * metadata version of this Kafka) and returns once a client can reach the broker: about a second
 * in a JVM that has run one before; the first start in a JVM also loads Kafka's classes, about
 * 5 s of CPU. Several instances may run in one JVM, each on its own ports and directory.
 *
 * <p>A broker fault never ends the JVM: while any instance runs, Kafka's {@link Exit} procedures
 * throw instead of exiting or halting, and the server's fatal-fault handler logs and records the
 * fault instead of halting. The procedures are reset to Kafka's defaults when the last instance
 * closes.
 *
 * <p>Logging: Kafka logs through SLF4J, at INFO by the thousand lines. This library binds no
 * backend; an application that embeds the broker should set the {@code kafka} and
 * {@code org.apache.kafka} loggers to WARN (the {@code attune} command's slf4j-simple
 * configuration sets every library logger to WARN).
 */
public final class EmbeddedKafka implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);
  private static final String HOST = "127.0.0.1";
  private static final int NODE_ID = 1;
  private static final String CLIENT_LISTENER = "PLAINTEXT";
  private static final String CONTROLLER_LISTENER = "CONTROLLER";
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(30);

  /** Keys that make this a single-node combined server on loopback; options may not change them. */
  private static final Set<String> OWNED_KEYS = Set.of("process.roles", "node.id", "listeners",
      "advertised.listeners", "listener.security.protocol.map", "controller.listener.names",
      "inter.broker.listener.name", "controller.quorum.voters",
      "controller.quorum.bootstrap.servers", "log.dir", "log.dirs", "metadata.log.dir");

  /**
   * How to start the broker.
   *
   * @param logDirectory where the broker keeps its data; a directory that already holds a
   *     formatted log is started again with its topics and cluster id, and is kept on close.
   *     Empty: a new temporary directory, deleted on close.
   * @param port the client port on 127.0.0.1; 0 picks a free one ({@link #bootstrapServers()}
   *     tells which)
   * @param partitions partitions of a topic created without a count ({@code num.partitions})
   * @param brokerProperties further Kafka server properties, applied over this class's
   *     single-node defaults (e.g. {@code log.retention.ms}); the listener, role, quorum and
   *     directory keys are this class's own and are rejected here
   */
  public record Options(Optional<Path> logDirectory, int port, int partitions,
      Map<String, String> brokerProperties) {

    /** Checks every field and reports every problem in one exception. */
    public Options {
      Objects.requireNonNull(logDirectory, "logDirectory");
      brokerProperties = Map.copyOf(brokerProperties);
      List<String> problems = new ArrayList<>();
      if (port < 0 || port > 65_535) {
        problems.add("port must be 0 (a free port) or 1..65535, was " + port);
      }
      if (partitions < 1) {
        problems.add("partitions must be at least 1, was " + partitions);
      }
      for (String key : new TreeSet<>(brokerProperties.keySet())) {
        if (OWNED_KEYS.contains(key)) {
          problems.add("broker property '" + key + "' is set by EmbeddedKafka itself");
        }
      }
      if (!problems.isEmpty()) {
        throw new IllegalArgumentException("Invalid EmbeddedKafka options: "
            + String.join("; ", problems));
      }
    }

    /** A temporary directory, a free port, 1 partition per topic, no further properties. */
    public static Options defaults() {
      return new Options(Optional.empty(), 0, 1, Map.of());
    }

    /** These options with data kept in {@code directory}. */
    public Options withLogDirectory(Path directory) {
      return new Options(Optional.of(directory), port, partitions, brokerProperties);
    }

    /** These options with the client listener on {@code port} (0: a free one). */
    public Options withPort(int port) {
      return new Options(logDirectory, port, partitions, brokerProperties);
    }

    /** These options with {@code num.partitions} set to {@code partitions}. */
    public Options withPartitions(int partitions) {
      return new Options(logDirectory, port, partitions, brokerProperties);
    }

    /** These options plus one Kafka server property, replacing an earlier value of its key. */
    public Options withBrokerProperty(String key, String value) {
      Map<String, String> merged = new LinkedHashMap<>(brokerProperties);
      merged.put(key, value);
      return new Options(logDirectory, port, partitions, merged);
    }
  }

  /** The broker could not start; the message names the port or directory and the cause. */
  public static final class StartException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    StartException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private final Resources resources;
  private final FaultRecorder faults;
  private final int port;
  private final AtomicBoolean closed = new AtomicBoolean();

  private EmbeddedKafka(Resources resources, FaultRecorder faults) {
    this.resources = resources;
    this.faults = faults;
    this.port = resources.sockets.port(CLIENT_LISTENER);
  }

  /**
   * Formats storage if needed, starts the combined broker and controller, and waits until a
   * client can describe the cluster.
   *
   * @throws StartException if the port is taken, the directory is unusable (a file, not
   *     writable, used by another running broker), a broker property is invalid, or the server
   *     does not start within 30 s; whatever had started is stopped, and nothing exits the JVM
   */
  public static EmbeddedKafka start(Options options) {
    long startNanos = System.nanoTime();
    ExitGuard.acquire();
    Resources resources = new Resources(options.logDirectory().isEmpty());
    try {
      EmbeddedKafka kafka = new EmbeddedKafka(resources, startServer(options, resources));
      kafka.awaitReady(READY_TIMEOUT);
      LOG.info("Embedded Kafka {} ready on {} in {} ms (log directory {})",
          AppInfoParser.getVersion(), kafka.bootstrapServers(),
          (System.nanoTime() - startNanos) / 1_000_000, resources.directory);
      return kafka;
    } catch (RuntimeException | IOException | Error e) {
      String where = "client port " + HOST + ":"
          + (resources.sockets == null ? options.port() : resources.sockets.port(CLIENT_LISTENER))
          + ", log directory " + (resources.directory != null ? resources.directory
              : options.logDirectory().map(Path::toString).orElse("(temporary)"));
      try {
        resources.release();
      } catch (RuntimeException cleanup) {
        e.addSuppressed(cleanup);
      } finally {
        ExitGuard.release();
      }
      if (e instanceof Error error) {
        throw error;
      }
      throw new StartException("Cannot start the embedded Kafka broker (" + where + "): "
          + e.getMessage(), e);
    }
  }

  /** What KafkaRaftServer does, with our sockets and fault handlers; fills in {@code r}. */
  private static FaultRecorder startServer(Options options, Resources r) throws IOException {
    r.directory = prepareDirectory(options.logDirectory());
    r.lock = DirectoryLock.acquire(r.directory);
    Map<String, Integer> ports = new LinkedHashMap<>();
    ports.put(CLIENT_LISTENER, options.port());
    ports.put(CONTROLLER_LISTENER, 0);
    r.sockets = PreboundSockets.bind(HOST, ports);
    int controllerPort = r.sockets.port(CONTROLLER_LISTENER);
    KafkaConfig config = new KafkaConfig(
        serverProperties(options, r.directory, r.sockets.port(CLIENT_LISTENER), controllerPort),
        false);
    format(r.directory);
    var ensembleAndBootstrap = KafkaRaftServer.initializeLogDirs(config, LOG, "[EmbeddedKafka] ");
    FaultRecorder faults = new FaultRecorder();
    SharedServer shared = new SharedServer(config, ensembleAndBootstrap._1(), Time.SYSTEM,
        new Metrics(), CompletableFuture.completedFuture(
            Map.of(NODE_ID, new InetSocketAddress(HOST, controllerPort))),
        List.of(), faults, r.sockets);
    r.controller = new ControllerServer(shared, KafkaRaftServer.configSchema(),
        ensembleAndBootstrap._2());
    r.broker = new BrokerServer(shared);
    // The controller first: the broker registers with it before it opens its client port.
    r.controller.startup();
    r.broker.startup();
    return faults;
  }

  /** {@code 127.0.0.1:port} of the client listener, for {@code bootstrap.servers}. */
  public String bootstrapServers() {
    return HOST + ":" + port();
  }

  /** The client port; the one asked for, or the free one picked for port 0. */
  public int port() {
    return port;
  }

  /** Where the broker keeps its data; pass it to a later start to keep topics and offsets. */
  public Path logDirectory() {
    return resources.directory;
  }

  /**
   * Creates the topics and waits until the broker has them.
   *
   * @throws IllegalStateException if any cannot be created (one exists already, an invalid
   *     config), with Kafka's error as the cause
   */
  public void createTopics(NewTopic... topics) {
    try (Admin admin = Admin.create(adminConfig(bootstrapServers(), ADMIN_TIMEOUT))) {
      admin.createTopics(List.of(topics)).all()
          .get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("Cannot create topics " + names(topics) + " on "
          + bootstrapServers() + ": " + rootMessage(e), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while creating topics " + names(topics), e);
    }
  }

  /**
   * Waits until this broker answers a describe-cluster request.
   *
   * @throws IllegalStateException if it does not within {@code timeout}, or if the server has
   *     had a fatal fault (the cause), after which a real broker would have halted
   */
  public void awaitReady(Duration timeout) {
    Optional<FaultHandlerException> fatal = faults.firstFatal();
    if (fatal.isPresent()) {
      throw new IllegalStateException("The embedded Kafka broker on " + bootstrapServers()
          + " had a fatal fault: " + fatal.get().getMessage(), fatal.get());
    }
    awaitReady(bootstrapServers(), timeout);
  }

  /**
   * Waits until the Kafka cluster at {@code bootstrapServers} (embedded or not) answers a
   * describe-cluster request with at least one broker: the check a demo or test makes before it
   * starts workers.
   *
   * @throws IllegalStateException if it does not within {@code timeout}
   */
  public static void awaitReady(String bootstrapServers, Duration timeout) {
    try (Admin admin = Admin.create(adminConfig(bootstrapServers, timeout))) {
      Collection<Node> nodes = admin.describeCluster().nodes()
          .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      if (nodes.isEmpty()) {
        throw new IllegalStateException("Kafka at " + bootstrapServers + " lists no brokers");
      }
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("Kafka at " + bootstrapServers + " did not answer within "
          + timeout.toMillis() + " ms: " + rootMessage(e), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while waiting for Kafka at "
          + bootstrapServers, e);
    }
  }

  /**
   * Shuts the broker and controller down, waits for them, and deletes the log directory if it
   * was temporary. Calling it again does nothing.
   *
   * @throws UncheckedIOException if the temporary directory cannot be deleted (the broker is
   *     stopped all the same)
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    long startNanos = System.nanoTime();
    try {
      resources.release();
    } finally {
      ExitGuard.release();
    }
    faults.firstFatal().ifPresent(fatal -> LOG.error(
        "The embedded Kafka broker on {} had a fatal fault while it ran", bootstrapServers(),
        fatal));
    LOG.info("Embedded Kafka on {} closed in {} ms", bootstrapServers(),
        (System.nanoTime() - startNanos) / 1_000_000);
  }

  private static Path prepareDirectory(Optional<Path> requested) throws IOException {
    if (requested.isEmpty()) {
      return Files.createTempDirectory("attune-kafka-");
    }
    Path directory = requested.get().toAbsolutePath();
    if (Files.exists(directory) && !Files.isDirectory(directory)) {
      throw new IOException("log directory " + directory + " is a file, not a directory");
    }
    Files.createDirectories(directory);
    if (!Files.isWritable(directory)) {
      throw new IOException("log directory " + directory + " is not writable");
    }
    return directory;
  }

  private static Map<String, String> serverProperties(Options options, Path directory,
      int clientPort, int controllerPort) {
    Map<String, String> props = new LinkedHashMap<>();
    // One node: internal topics cannot have more than one replica, and transactions need the
    // transaction state log to accept writes with a single in-sync replica.
    props.put("offsets.topic.replication.factor", "1");
    props.put("transaction.state.log.replication.factor", "1");
    props.put("transaction.state.log.min.isr", "1");
    props.put("share.coordinator.state.topic.replication.factor", "1");
    props.put("share.coordinator.state.topic.min.isr", "1");
    props.put("default.replication.factor", "1");
    props.put("min.insync.replicas", "1");
    // 5 instead of 50 coordinator partitions: still spreads groups and transactional ids over
    // several coordinators, as on a cluster, at a tenth of the files and load time.
    props.put("offsets.topic.num.partitions", "5");
    props.put("transaction.state.log.num.partitions", "5");
    // Nobody else is coming: start a group's first rebalance at once.
    props.put("group.initial.rebalance.delay.ms", "0");
    props.put("group.streams.initial.rebalance.delay.ms", "0");
    // Topics come from the application's catalogue, with their configs, as on a real cluster.
    props.put("auto.create.topics.enable", "false");
    props.put("num.partitions", Integer.toString(options.partitions()));
    // The log cleaner reserves 128 MiB by default; several brokers may share a test JVM.
    props.put("log.cleaner.dedupe.buffer.size", Integer.toString(2 * 1024 * 1024));
    props.put("server.max.startup.time.ms", Long.toString(READY_TIMEOUT.toMillis()));
    props.putAll(options.brokerProperties());
    props.put("process.roles", "broker,controller");
    props.put("node.id", Integer.toString(NODE_ID));
    String client = CLIENT_LISTENER + "://" + HOST + ":" + clientPort;
    props.put("listeners", client + "," + CONTROLLER_LISTENER + "://" + HOST + ":"
        + controllerPort);
    props.put("advertised.listeners", client);
    props.put("listener.security.protocol.map",
        CLIENT_LISTENER + ":PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
    props.put("inter.broker.listener.name", CLIENT_LISTENER);
    props.put("controller.listener.names", CONTROLLER_LISTENER);
    props.put("controller.quorum.voters", NODE_ID + "@" + HOST + ":" + controllerPort);
    props.put("log.dirs", directory.toString());
    props.put("metadata.log.dir", directory.toString());
    return props;
  }

  /** What {@code kafka-storage.sh format} does; a directory formatted before is left as it is. */
  private static void format(Path directory) {
    if (Files.exists(directory.resolve("meta.properties"))) {
      // Formatted by an earlier start: keep its cluster id, metadata version and data.
      return;
    }
    try {
      new Formatter()
          .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
          .setNodeId(NODE_ID)
          .setClusterId(Uuid.randomUuid().toString())
          .setReleaseVersion(MetadataVersion.latestProduction())
          .setControllerListenerName(CONTROLLER_LISTENER)
          .setMetadataLogDirectory(directory.toString())
          .addDirectory(directory.toString())
          .run();
    } catch (Exception e) {
      throw new IllegalStateException("cannot format " + directory + ": " + e.getMessage(), e);
    }
  }

  private static Map<String, Object> adminConfig(String bootstrapServers, Duration timeout) {
    int millis = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
    return Map.of(
        AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
        AdminClientConfig.CLIENT_ID_CONFIG, "attune-embedded-kafka",
        AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, millis,
        AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, millis);
  }

  private static List<String> names(NewTopic... topics) {
    return Arrays.stream(topics).map(NewTopic::name).toList();
  }

  private static String rootMessage(Throwable e) {
    Throwable root = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
    return root.getClass().getSimpleName() + ": " + root.getMessage();
  }

  /**
   * Kafka's server calls {@link Exit#exit}/{@link Exit#halt} on errors it deems fatal; in a
   * shared JVM that would end the demo or the test run. Exit's procedures are JVM-wide, hence a
   * JVM-wide count of running instances: the first installs, the last resets to Kafka's defaults
   * (Exit has no getter, so a procedure someone else installed before is not restored).
   */
  private static final class ExitGuard {
    private static int holders; // guarded by ExitGuard.class

    static synchronized void acquire() {
      if (holders++ == 0) {
        Exit.setExitProcedure((status, message) -> refuse("exit", status, message));
        Exit.setHaltProcedure((status, message) -> refuse("halt", status, message));
      }
    }

    static synchronized void release() {
      if (--holders == 0) {
        Exit.resetExitProcedure();
        Exit.resetHaltProcedure();
      }
    }

    private static void refuse(String verb, int status, String message) {
      // Throwing stops the calling Kafka thread, which is what the caller expected of a halt.
      String refusal = "Kafka asked to " + verb + " the JVM with status " + status
          + (message == null ? "" : " (" + message + ")")
          + "; an embedded broker is running, so the JVM stays up";
      LOG.error(refusal);
      throw new IllegalStateException(refusal);
    }
  }

  /**
   * What one start acquired, filled in as it goes; released in reverse order by {@link #close}
   * or by a failed start. Every step runs even if an earlier one fails.
   */
  private static final class Resources {
    final boolean temporary;
    Path directory;
    DirectoryLock lock;
    PreboundSockets sockets;
    ControllerServer controller;
    BrokerServer broker;

    Resources(boolean temporary) {
      this.temporary = temporary;
    }

    void release() {
      RuntimeException failure = null;
      // The broker first: its controlled shutdown talks to the controller (as KafkaRaftServer).
      failure = step(failure, broker, BrokerServer::shutdown);
      failure = step(failure, controller, ControllerServer::shutdown);
      failure = step(failure, sockets, PreboundSockets::close);
      failure = step(failure, lock, DirectoryLock::release);
      if (temporary) {
        failure = step(failure, directory, Resources::delete);
      }
      if (failure != null) {
        throw failure;
      }
    }

    private static <T> RuntimeException step(RuntimeException failure, T resource,
        Consumer<T> release) {
      if (resource == null) {
        return failure;
      }
      try {
        release.accept(resource);
      } catch (RuntimeException e) {
        if (failure == null) {
          return e;
        }
        failure.addSuppressed(e);
      }
      return failure;
    }

    private static void delete(Path directory) {
      try {
        Utils.delete(directory.toFile());
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot delete the embedded broker's temporary log "
            + "directory " + directory, e);
      }
    }
  }
}
