package io.attune.cli;

import io.attune.adaptation.bundle.ModelBundle;
import io.attune.adaptation.method.Methods;
import io.attune.broker.EmbeddedKafka;
import io.attune.schemas.signing.SigningKeys;
import io.attune.topology.ModelCatalog;
import io.attune.topology.Worker;
import io.attune.topology.WorkerConfig;
import io.attune.topology.metrics.WorkerMetrics;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code attune worker}: the adaptation service itself. */
@Command(
    name = "worker",
    mixinStandardHelpOptions = true,
    usageHelpAutoWidth = true,
    header = "Run an adaptation worker: Kafka traffic in; parameters, predictions, dead letters out.",
    description = {
      "",
      "Consumes InferenceSample records from the traffic topic, buffers them per model/cohort, "
          + "runs one adaptation step per batch (or when a partial batch is older than its "
          + "latency bound, in record time) and publishes signed normalization parameters, "
          + "adapted predictions and dead letters. Exactly-once by default: a worker killed at "
          + "any moment resumes where its last transaction ended.",
      "",
      "Configuration: a properties file (--config; every key in docs/worker-config.md, or "
          + "--config-reference), overridden by --set KEY=VALUE. --embedded starts an in-process "
          + "single-node Kafka broker on 127.0.0.1 instead of connecting to bootstrap.servers, "
          + "and makes a signing key pair when none is configured.",
      ""
    },
    footer = {"", "Examples:",
      "  ./attune worker --embedded --bundle /tmp/bundle --method tent",
      "  ./attune worker --config deploy/worker.properties",
      "  ./attune worker --config-reference > docs/worker-config.md"})
final class WorkerCommand implements Callable<Integer> {

  @Spec
  private CommandSpec spec;

  @Option(names = "--config", paramLabel = "FILE", description = "Worker properties file.")
  private Path configFile;

  @Option(names = "--set", paramLabel = "KEY=VALUE",
      description = "Overrides one configuration key; repeatable.")
  private Map<String, String> overrides = new LinkedHashMap<>();

  @Option(names = "--embedded", description = "Start an in-process Kafka broker on 127.0.0.1.")
  private boolean embedded;

  @Option(names = "--broker-port", defaultValue = "9092", paramLabel = "PORT",
      description = "Port of the --embedded broker; 0 picks a free one "
          + "(default: ${DEFAULT-VALUE}).")
  private int brokerPort;

  @Option(names = "--bundle", paramLabel = "DIR",
      description = "Adapt this one bundle instead of a catalog file.")
  private Path bundleDir;

  @Option(names = "--model", paramLabel = "ID",
      description = "Model id of --bundle in the traffic (default: the bundle's name).")
  private String modelId;

  @Option(names = "--method", defaultValue = "tent", paramLabel = "NAME",
      completionCandidates = MethodNames.class,
      description = "Method for --bundle: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
  private String method;

  @Option(names = "--hyper", paramLabel = "NAME=VALUE",
      description = "A hyperparameter of --method for --bundle, e.g. optimizer.lr=0.0005 "
          + "(repeatable; a catalog file sets them per model and cohort).")
  private Map<String, String> hyperparameters = new LinkedHashMap<>();

  @Option(names = "--batch", defaultValue = "64", paramLabel = "N",
      description = "Batch size for --bundle (default: ${DEFAULT-VALUE}).")
  private int batch;

  @Option(names = "--max-latency-ms", defaultValue = "10000", paramLabel = "MS",
      description = "Latency bound of a partial batch for --bundle, in record time "
          + "(default: ${DEFAULT-VALUE}).")
  private long maxLatencyMs;

  @Option(names = "--config-reference",
      description = "Print the configuration reference (markdown) and exit.")
  private boolean configReference;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    if (configReference) {
      out.print(WorkerConfig.referenceDocument());
      out.flush();
      return 0;
    }
    Map<String, String> props = properties();
    if (bundleDir == null && props.getOrDefault(WorkerConfig.CATALOG_FILE_CONFIG, "").isEmpty()) {
      throw new ParameterException(spec.commandLine(), "give --bundle DIR, or catalog.file in "
          + "--config or --set");
    }
    try (EmbeddedKafka broker = embedded ? EmbeddedKafka.start(
        EmbeddedKafka.Options.defaults().withPort(brokerPort)) : null) {
      if (broker != null) {
        props.put(WorkerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        out.println("embedded Kafka broker on " + broker.bootstrapServers());
        if (!props.containsKey(WorkerConfig.STATE_DIR_CONFIG)) {
          // a fresh broker has no changelogs; state kept from an earlier run would not match
          props.put(WorkerConfig.STATE_DIR_CONFIG,
              Files.createTempDirectory("attune-streams").toString());
        }
        if (!props.containsKey(WorkerConfig.SIGNING_KEY_FILE_CONFIG)) {
          props.put(WorkerConfig.SIGNING_KEY_FILE_CONFIG, makeKeys().toString());
        }
      }
      List<String> problems = WorkerConfig.validate(props);
      if (!problems.isEmpty()) {
        throw new ParameterException(spec.commandLine(), "bad worker configuration: "
            + String.join("; ", problems));
      }
      WorkerConfig config = new WorkerConfig(props);
      return run(config, out);
    }
  }

  private int run(WorkerConfig config, PrintWriter out) throws InterruptedException {
    CountDownLatch stop = new CountDownLatch(1);
    Thread hook = new Thread(stop::countDown, "attune-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    try (Worker worker = bundleDir == null ? Worker.start(config)
        : Worker.start(config, singleBundleCatalog())) {
      out.println("worker started; signing with " + config.getString(
          WorkerConfig.SIGNING_KEY_FILE_CONFIG) + worker.httpPort().map(p ->
          "; HTTP on http://127.0.0.1:" + p + "/cohorts").orElse(""));
      out.println("traffic: " + config.topics().traffic().name() + "; Ctrl-C stops");
      out.flush();
      Map<String, Long> printed = new LinkedHashMap<>();
      while (!stop.await(5, java.util.concurrent.TimeUnit.SECONDS) && !worker.stopped()) {
        report(worker.metrics(), printed, out);
      }
      out.println(worker.stopped() ? "worker stopped: " + worker.state() : "stopping...");
      out.flush();
      return worker.stopped() && !stopRequested(stop) ? 1 : 0;
    } finally {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // the JVM is already exiting because of Ctrl-C; the hook has run
      }
    }
  }

  private static boolean stopRequested(CountDownLatch stop) {
    return stop.getCount() == 0;
  }

  private static void report(WorkerMetrics metrics, Map<String, Long> printed, PrintWriter out) {
    metrics.latestSteps().forEach((cohort, step) -> {
      if (!Long.valueOf(step.version()).equals(printed.get(cohort))) {
        printed.put(cohort, step.version());
        out.printf("%-32s version %5d   batch %3d (used %3d)   entropy %.3f   step %6.1f ms%s%n",
            cohort, step.version(), step.samples(), step.samplesUsed(), step.meanEntropy(),
            step.stepMillis(), step.reset() ? "   reset" : "");
      }
    });
    out.flush();
  }

  private ModelCatalog singleBundleCatalog() {
    String id = modelId != null ? modelId : ModelBundle.open(bundleDir).manifest().name();
    return ModelCatalog.single(id, bundleDir, new ModelCatalog.Adaptation(method, batch,
        maxLatencyMs, hyperparameters));
  }

  private Map<String, String> properties() throws IOException {
    Map<String, String> props = new LinkedHashMap<>();
    if (configFile != null) {
      Properties file = new Properties();
      try (Reader r = Files.newBufferedReader(configFile)) {
        file.load(r);
      } catch (NoSuchFileException e) {
        throw new ParameterException(spec.commandLine(), "--config: no such file " + configFile);
      }
      file.stringPropertyNames().forEach(k -> props.put(k, file.getProperty(k)));
    }
    props.putAll(overrides);
    return props;
  }

  /** A fresh key pair for an embedded run, in a temporary directory. */
  private static Path makeKeys() throws IOException {
    Path dir = Files.createTempDirectory("attune-keys");
    KeyPair keys = SigningKeys.generate();
    Path privateKey = dir.resolve("worker.key");
    SigningKeys.writePrivateKey(privateKey, keys.getPrivate());
    SigningKeys.writePublicKey(dir.resolve("worker.key.pub"), keys.getPublic());
    return privateKey;
  }
}
