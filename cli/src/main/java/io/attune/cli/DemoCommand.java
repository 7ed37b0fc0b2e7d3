package io.attune.cli;

import io.attune.adaptation.bundle.ModelBundle;
import io.attune.adaptation.bundle.ModelPreparation;
import io.attune.adaptation.method.Methods;
import io.attune.adaptation.model.ModelCard;
import io.attune.broker.EmbeddedKafka;
import io.attune.edge.UploadFilter;
import io.attune.schemas.Topics;
import io.attune.schemas.signing.SigningKeys;
import io.attune.schemas.DriftAlert;
import io.attune.simulators.demo.AlertFeed;
import io.attune.simulators.demo.DemoCohorts;
import io.attune.simulators.demo.DemoReport;
import io.attune.simulators.demo.LiveView;
import io.attune.simulators.fleet.CohortPlan;
import io.attune.simulators.fleet.CohortSummary;
import io.attune.simulators.fleet.FleetConfig;
import io.attune.simulators.fleet.FleetResult;
import io.attune.simulators.fleet.FleetSimulator;
import io.attune.simulators.fleet.KafkaParamsDelivery;
import io.attune.simulators.fleet.KafkaUplink;
import io.attune.simulators.schedule.LabeledImages;
import io.attune.simulators.schedule.Schedule;
import io.attune.simulators.schedule.ScheduleException;
import io.attune.simulators.traffic.KafkaTraffic;
import io.attune.simulators.traffic.TrafficPlan;
import io.attune.topology.ModelCatalog;
import io.attune.topology.Worker;
import io.attune.topology.WorkerConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code attune demo}: an embedded broker, a worker and a fleet in one process, live, then a
 * report. Wiring only: the view, the report and the chart are {@code io.attune.simulators.demo}'s.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    usageHelpAutoWidth = true,
    header = "Watch a fleet of edge devices adapt to shifted data, live, in one process.",
    description = {
      "",
      "Prepares the reference model, starts an embedded Kafka broker on 127.0.0.1, an "
          + "adaptation worker and a fleet of simulated edge devices in cohorts, each cohort under "
          + "a different severity-5 shift. Devices predict forward-only with the newest signed "
          + "parameters of their cohort and upload what CEMA's filter selects; a frozen twin per "
          + "cohort runs the source model on the same samples. The terminal shows, per cohort, "
          + "samples, params version, frozen and adapted accuracy, and a line per drift alert "
          + "the worker publishes; at the end the output directory holds report.md (with the "
          + "alerts) and accuracy.png. Ctrl-C stops everything cleanly.",
      ""
    },
    footer = {
      "",
      "Examples:",
      "  ./attune demo",
      "  ./attune demo --method norm --devices 4 --cohorts 2 --out /tmp/demo",
      "  ./attune demo --schedule shot_noise:5 --schedule pixelate:5",
      "  ./attune demo --schedule 'continual:clean,fog:5+samples:2000' --samples 3000"
          + "   (clean first: drift alerts)"
    })
final class DemoCommand implements Callable<Integer> {

  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(60);
  /** Exit status after Ctrl-C, as a shell reports a process ended by SIGINT. */
  private static final int INTERRUPTED = 130;
  private static final String MODEL_ID = "fmnist";
  /** Samples per device per tick; the fleet pauses --tick-ms after each. */
  private static final int TICK = 16;
  /** Samples of a cohort that the live and charted accuracies cover. */
  private static final int WINDOW = 400;

  @Spec
  private CommandSpec spec;

  @Option(names = "--bundle", paramLabel = "DIR",
      description = "A model bundle (made by 'attune prepare') instead of preparing --model.")
  private Path bundleDir;

  @Option(names = "--model", paramLabel = "ONNX",
      defaultValue = "${sys:attune.home:-.}/models/fmnist-resnet/model.onnx",
      description = "The ONNX classifier to prepare, with its model.json beside it "
          + "(default: ${DEFAULT-VALUE}).")
  private Path modelFile;

  @Option(names = "--method", defaultValue = "tent", paramLabel = "NAME",
      completionCandidates = MethodNames.class,
      description = "The worker's method: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
  private String method;

  @Option(names = "--batch", defaultValue = "64", paramLabel = "N",
      description = "Samples per adaptation step (default: ${DEFAULT-VALUE}).")
  private int batch;

  @Option(names = "--cohorts", paramLabel = "M",
      description = "Number of cohorts, each under its own shift: gaussian_noise:5, fog:5, "
          + "defocus_blur:5, contrast:5, pixelate:5, brightness:5, in that order (default: 3, "
          + "or one per --schedule).")
  private Integer cohortsOption;

  @Option(names = "--schedule", paramLabel = "SPEC",
      description = "Instead of the default shifts: a schedule (compact, JSON or a file) once "
          + "for every cohort, or once per cohort in order, as 'simulate fleet' takes it.")
  private List<String> schedules = new ArrayList<>();

  @Option(names = "--devices", paramLabel = "N",
      description = "Devices in all, at least --cohorts; device i is in cohort i mod M "
          + "(default: two per cohort).")
  private Integer devicesOption;

  @Option(names = "--samples", paramLabel = "N", defaultValue = "1500",
      description = "Samples each device predicts (default: ${DEFAULT-VALUE}).")
  private long samples;

  @Option(names = "--tick-ms", paramLabel = "MS", defaultValue = "40",
      description = "Pause after every 16 samples per device, the fleet's pace "
          + "(default: ${DEFAULT-VALUE}).")
  private long tickMillis;

  @Option(names = "--out", paramLabel = "DIR", defaultValue = "attune-demo",
      description = "Directory of report.md and accuracy.png (default: ${DEFAULT-VALUE}).")
  private Path out;

  @Option(names = "--broker-port", paramLabel = "PORT", defaultValue = "0",
      description = "Port of the embedded broker on 127.0.0.1; 0 picks a free one "
          + "(default: ${DEFAULT-VALUE}).")
  private int brokerPort;

  @Option(names = "--plain",
      description = "Print progress as plain lines every few seconds, even on a terminal.")
  private boolean plain;

  @Option(names = "--seed", paramLabel = "N", defaultValue = "0",
      description = "Seed of every random choice (default: ${DEFAULT-VALUE}).")
  private long seed;

  @Mixin
  private LabelledImagesOptions labelled = new LabelledImagesOptions();

  @Override
  public Integer call() throws Exception {
    checkArguments();
    List<CohortPlan> plans = plans();
    PrintWriter console = spec.commandLine().getOut();
    Instant started = Instant.now();
    Path temp = Files.createTempDirectory("attune-demo");
    Deque<Named> open = new ArrayDeque<>();
    CtrlC ctrlC = CtrlC.install(CLOSE_TIMEOUT);
    FleetResult result = null;
    List<DriftAlert> alerts = List.of();
    Duration fleetTime = Duration.ZERO;
    boolean stopping = false;
    try {
      console.printf("attune demo: %d devices in %d cohorts (%s), %,d samples each; method %s, "
          + "batch %d%n", devices, plans.size(), specs(plans), samples, method, batch);
      ModelBundle bundle = bundle(temp, console);
      LabeledImages images = LabeledImages.read(labelled.images, labelled.labels);
      ctrlC.checkpoint();
      EmbeddedKafka broker = step(console, "broker", () -> EmbeddedKafka.start(
          EmbeddedKafka.Options.defaults().withPort(brokerPort)), open);
      ctrlC.checkpoint();
      console.printf("  broker  embedded Kafka on %s%n", broker.bootstrapServers());
      String bootstrap = broker.bootstrapServers();
      WorkerConfig config = workerConfig(bootstrap, temp);
      Worker worker = step(console, "worker", () -> Worker.start(config,
          ModelCatalog.single(MODEL_ID, bundle.dir(), method, batch, 2_000)), open);
      ctrlC.interruptibly(() -> {
        worker.awaitRunning(CONNECT_TIMEOUT);
        return null;
      });
      console.printf("  worker  %s, batch %d, signing every update with a fresh Ed25519 key%n",
          method, batch);
      FleetSimulator fleet = fleet(bundle, bootstrap, config.topics(), plans, images, temp,
          open);
      ctrlC.checkpoint();
      console.printf("  fleet   %d devices subscribed to %s, uploading to %s%n", devices,
          config.topics().params().name(), config.topics().traffic().name());
      console.flush();
      LiveView view = new LiveView(console, interactive() ? LiveView.Mode.INTERACTIVE
          : LiveView.Mode.PLAIN, WINDOW, Duration.ofSeconds(5), System::nanoTime);
      AlertFeed feed = push(open, "alert feed", AlertFeed.start(Map.of("bootstrap.servers",
          bootstrap), config.topics().alerts(), view::alert));
      long fleetStart = System.nanoTime();
      result = ctrlC.interruptibly(() -> fleet.run(view));
      fleetTime = Duration.ofNanos(System.nanoTime() - fleetStart);
      view.finish();
      alerts = feed.alerts();
    } catch (Throwable e) {
      // after Ctrl-C the JVM is shutting down, and whatever was starting may fail because of it
      // (Kafka's broker cannot register its shutdown hook any more): that is the stop, not a bug
      if (!ctrlC.requested()) {
        throw e;
      }
    } finally {
      stopping = ctrlC.beginClosing();
      try {
        closeAll(open);
        deleteTree(temp);
      } finally {
        if (stopping) {
          console.println();
          console.println("stopped (Ctrl-C): fleet, worker and broker closed; no report written");
          console.flush();
        }
        ctrlC.close();
      }
    }
    if (stopping || result == null) {
      return INTERRUPTED;
    }
    DemoReport report = new DemoReport(new DemoReport.Settings(MODEL_ID, method, batch, devices,
        samples, WINDOW), result, alerts, Duration.between(started, Instant.now()), fleetTime,
        Instant.now());
    report.write(out);
    summarize(console, result, report);
    return 0;
  }

  private ModelBundle bundle(Path temp, PrintWriter console) throws IOException {
    if (bundleDir != null) {
      ModelBundle bundle = ModelBundle.open(bundleDir);
      console.printf("  bundle  %s%n", bundleDir);
      return bundle;
    }
    long t = System.nanoTime();
    Path meta = modelFile.toAbsolutePath().resolveSibling("model.json");
    Path memory = modelFile.toAbsolutePath().resolveSibling("source-memory");
    Path sourceImages = memory.resolve("images.npy");
    // the source memory's labels are those of the source images: the worker's drift
    // monitoring calibrates its accuracy estimates on them
    boolean withMemory = Files.isRegularFile(memory.resolve("features.npy"))
        && Files.isRegularFile(memory.resolve("labels.npy"));
    ModelBundle bundle = ModelPreparation.prepare(new ModelPreparation.Options(modelFile,
        temp.resolve("bundle"), Files.isRegularFile(meta) ? ModelCard.read(meta) : null,
        withMemory ? memory.resolve("features.npy") : null,
        withMemory ? memory.resolve("labels.npy") : null, null,
        Files.isRegularFile(sourceImages) ? sourceImages : null));
    console.printf(Locale.ROOT, "  bundle  %s prepared in %.1f s%n", modelFile,
        (System.nanoTime() - t) / 1e9);
    return bundle;
  }

  private WorkerConfig workerConfig(String bootstrap, Path temp) throws IOException {
    KeyPair keys = SigningKeys.generate();
    Path key = temp.resolve("worker.key");
    SigningKeys.writePrivateKey(key, keys.getPrivate());
    SigningKeys.writePublicKey(temp.resolve("worker.key.pub"), keys.getPublic());
    Map<String, String> props = new HashMap<>();
    props.put(WorkerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(WorkerConfig.APPLICATION_ID_CONFIG, "attune-demo");
    props.put(WorkerConfig.SIGNING_KEY_FILE_CONFIG, key.toString());
    props.put(WorkerConfig.STATE_DIR_CONFIG, temp.resolve("state").toString());
    props.put(WorkerConfig.HTTP_PORT_CONFIG, "-1");
    props.put(WorkerConfig.TOPIC_PARTITIONS_CONFIG, "3");
    // one core for the worker's steps, the other for the fleet's devices
    props.put(WorkerConfig.RUNTIME_THREADS_CONFIG, "1");
    return new WorkerConfig(props);
  }

  private FleetSimulator fleet(ModelBundle bundle, String bootstrap, Topics topics,
      List<CohortPlan> plans, LabeledImages images, Path temp, Deque<Named> open)
      throws Exception {
    KafkaUplink uplink = push(open, "uplink", new KafkaUplink(KafkaTraffic.connect(bootstrap,
        CONNECT_TIMEOUT, topics.traffic()), topics.traffic().name()));
    KafkaParamsDelivery delivery = push(open, "params subscribers", new KafkaParamsDelivery(
        Map.of("bootstrap.servers", bootstrap), topics.params().name(),
        topics.memory().name()));
    FleetConfig fleetConfig = new FleetConfig(MODEL_ID, plans, devices, TICK, samples, WINDOW,
        seed, UploadFilter.Config.cema(bundle.manifest().head().classes(),
            UploadFilter.Budget.unlimited()), Duration.ofMillis(tickMillis));
    return push(open, "fleet", FleetSimulator.create(bundle, fleetConfig, images,
        SigningKeys.readPublicKey(temp.resolve("worker.key.pub")), delivery, uplink));
  }

  private void summarize(PrintWriter console, FleetResult result, DemoReport report) {
    double gain = result.cohorts().values().stream()
        .mapToDouble(c -> c.adaptedAccuracy() - c.sourceAccuracy()).average().orElse(0);
    long refused = result.cohorts().values().stream()
        .mapToLong(CohortSummary::rejectedUpdates).sum();
    console.printf(Locale.ROOT, "done in %.0f s: adapted devices beat their frozen twins by "
        + "%+.1f points on average (%d updates refused)%n", report.total().toMillis() / 1000.0,
        100 * gain, refused);
    console.printf("report  %s%n        %s%n", out.resolve(DemoReport.MARKDOWN),
        out.resolve(DemoReport.CHART));
    console.flush();
  }

  private boolean interactive() {
    String term = System.getenv("TERM");
    return !plain && System.console() != null && term != null && !"dumb".equals(term);
  }

  /** A resource with the name a failure to close it is reported under. */
  private record Named(String name, AutoCloseable resource) {}

  private interface Opener<T extends AutoCloseable> {
    T open() throws Exception;
  }

  private static <T extends AutoCloseable> T step(PrintWriter console, String name,
      Opener<T> opener, Deque<Named> open) throws Exception {
    console.printf("  %-7s starting...%n", name);
    console.flush();
    return push(open, name, opener.open());
  }

  private static <T extends AutoCloseable> T push(Deque<Named> open, String name, T resource) {
    open.push(new Named(name, resource));
    return resource;
  }

  /** Closes the newest first: the fleet, then the worker, then the broker. */
  private static void closeAll(Deque<Named> open) throws Exception {
    Exception first = null;
    while (!open.isEmpty()) {
      Named next = open.pop();
      try {
        next.resource().close();
      } catch (Exception e) {
        Exception wrapped = new IllegalStateException("closing the " + next.name() + " failed: "
            + e.getMessage(), e);
        if (first == null) {
          first = wrapped;
        } else {
          first.addSuppressed(wrapped);
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  private static String specs(List<CohortPlan> plans) {
    return String.join(", ", plans.stream().map(p -> p.schedule().spec()).toList());
  }

  private int cohorts;
  private int devices;

  private void checkArguments() {
    cohorts = cohortsOption != null ? cohortsOption : schedules.isEmpty() ? 3 : schedules.size();
    devices = devicesOption != null ? devicesOption : 2 * cohorts;
    List<String> problems = new ArrayList<>();
    if (schedules.isEmpty() && (cohorts < 1 || cohorts > DemoCohorts.DEFAULT_SHIFTS.size())) {
      problems.add("--cohorts must be 1 to " + DemoCohorts.DEFAULT_SHIFTS.size()
          + " with the default shifts, got " + cohorts);
    } else if (cohorts < 1) {
      problems.add("--cohorts must be at least 1, got " + cohorts);
    }
    if (devices < cohorts) {
      problems.add("--devices (" + devices + ") must be at least --cohorts (" + cohorts + ")");
    }
    if (devices > 64) {
      problems.add("--devices must be at most 64, got " + devices);
    }
    if (samples < 1) {
      problems.add("--samples must be at least 1, got " + samples);
    }
    if (batch < 1 || batch > 4096) {
      problems.add("--batch must be 1 to 4096, got " + batch);
    }
    if (tickMillis < 0) {
      problems.add("--tick-ms must be 0 or more, got " + tickMillis);
    }
    if (!Methods.NAMES.contains(method)) {
      problems.add("--method: unknown method '" + method + "' (known: "
          + String.join(", ", Methods.NAMES) + ")");
    }
    if (brokerPort < 0 || brokerPort > 65_535) {
      problems.add("--broker-port must be 0 (a free port) to 65535, got " + brokerPort);
    }
    if (bundleDir != null && !Files.isDirectory(bundleDir)) {
      problems.add("--bundle " + bundleDir + ": no such directory");
    }
    if (bundleDir == null && !Files.isRegularFile(modelFile)) {
      problems.add("--model " + modelFile + ": no such file");
    }
    for (Path file : List.of(labelled.images, labelled.labels)) {
      if (!Files.isRegularFile(file)) {
        problems.add(file + ": no such file (--images, --labels)");
      }
    }
    if (Files.exists(out) && !Files.isDirectory(out)) {
      problems.add("--out " + out + " exists and is not a directory");
    }
    if (!problems.isEmpty()) {
      throw bad(String.join("; ", problems));
    }
  }

  private List<CohortPlan> plans() throws IOException {
    if (schedules.isEmpty()) {
      return DemoCohorts.defaults(cohorts);
    }
    List<Schedule> given = new ArrayList<>();
    for (String text : schedules) {
      try {
        given.add(isFile(text) ? Schedule.read(Path.of(text)) : Schedule.parse(text));
      } catch (ScheduleException e) {
        throw bad("--schedule: " + e.getMessage());
      }
    }
    try {
      return DemoCohorts.of(TrafficPlan.perCohort(given, cohorts));
    } catch (IllegalArgumentException e) {
      throw bad("--schedule: " + e.getMessage());
    }
  }

  private static boolean isFile(String text) {
    try {
      return Files.isRegularFile(Path.of(text));
    } catch (InvalidPathException notAPath) {
      return false;
    }
  }

  private ParameterException bad(String message) {
    return new ParameterException(spec.commandLine(), message);
  }
}
