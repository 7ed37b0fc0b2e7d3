package io.attune.cli;

import io.attune.adaptation.bundle.ModelBundle;
import io.attune.edge.UploadFilter;
import io.attune.schemas.Topics;
import io.attune.schemas.TopicsConfig;
import io.attune.schemas.signing.KeyFileException;
import io.attune.schemas.signing.SigningKeys;
import io.attune.simulators.fleet.CohortPlan;
import io.attune.simulators.fleet.CohortSummary;
import io.attune.simulators.fleet.FleetConfig;
import io.attune.simulators.fleet.FleetResult;
import io.attune.simulators.fleet.FleetSimulator;
import io.attune.simulators.fleet.KafkaParamsDelivery;
import io.attune.simulators.fleet.KafkaUplink;
import io.attune.simulators.fleet.TimelineFormat;
import io.attune.simulators.fleet.TimelinePoint;
import io.attune.simulators.schedule.LabeledImages;
import io.attune.simulators.schedule.Schedule;
import io.attune.simulators.schedule.ScheduleException;
import io.attune.simulators.traffic.KafkaTraffic;
import io.attune.simulators.traffic.TrafficPlan;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code attune simulate fleet}: simulated edge devices against a running worker. */
@Command(
    name = "fleet",
    mixinStandardHelpOptions = true,
    usageHelpAutoWidth = true,
    header = "Run simulated edge devices that upload to and are adapted by a worker.",
    description = {
      "",
      "N devices in M cohorts (device i in cohort i mod M), each replaying its cohort's "
          + "schedule in its own seeded order, predicting with the edge SDK and the newest "
          + "verified parameters of its cohort (a subscriber per device on the params topic), "
          + "uploading the samples CEMA's filter selects to the traffic topic. A frozen twin per "
          + "cohort predicts the same samples with the source parameters. Prints, per cohort, the "
          + "accuracy of source and adapted over a sliding window, the params versions held and "
          + "the share uploaded.",
      ""
    },
    footer = {
      "",
      "Examples:",
      "  ./attune simulate fleet --bundle /tmp/bundle --bootstrap localhost:9092 \\",
      "      --public-key keys/params.pub.pem --cohorts 2 --devices 4",
      "  ./attune simulate fleet --bundle /tmp/bundle --bootstrap localhost:9092 \\",
      "      --public-key keys/params.pub.pem --schedule gaussian_noise:5 --schedule fog:5 \\",
      "      --csv /tmp/fleet.csv"
    })
final class SimulateFleetCommand implements Callable<Integer> {

  /** Cohort i gets the i-th of these (cycling) when no --schedule is given. */
  static final List<String> DEFAULT_SCHEDULES = List.of("gaussian_noise:5", "fog:5",
      "contrast:5", "defocus_blur:5", "pixelate:5", "brightness:5");

  @Spec
  private CommandSpec spec;

  @Option(names = "--bundle", required = true, paramLabel = "DIR",
      description = "The model bundle the worker adapts (made by 'attune prepare').")
  private Path bundleDir;

  @Option(names = "--bootstrap", required = true, paramLabel = "HOST:PORT",
      description = "Kafka bootstrap servers, comma-separated.")
  private String bootstrap;

  @Option(names = "--public-key", required = true, paramLabel = "FILE",
      description = "The worker's Ed25519 public key (PEM); updates not signed by it are refused.")
  private Path publicKey;

  @Option(names = "--cohorts", paramLabel = "M", defaultValue = "2",
      description = "Number of cohorts (default: ${DEFAULT-VALUE}).")
  private int cohorts;

  @Option(names = "--devices", paramLabel = "N", defaultValue = "4",
      description = "Number of devices in all, at least M (default: ${DEFAULT-VALUE}).")
  private int devices;

  @Option(names = "--schedule", paramLabel = "SPEC",
      description = "A schedule (compact, JSON or a file): once for every cohort, or once per "
          + "cohort in order (as 'simulate stream'). Default: a different severity-5 corruption "
          + "per cohort (gaussian_noise, fog, contrast, defocus_blur, pixelate, brightness, "
          + "then again).")
  private List<String> schedules = new ArrayList<>();

  @Option(names = "--model", paramLabel = "ID",
      description = "Model id in keys and records (default: the bundle's name).")
  private String model;

  @Option(names = "--samples", paramLabel = "N", defaultValue = "2000",
      description = "Samples per device (default: ${DEFAULT-VALUE}).")
  private long samples;

  @Option(names = "--tick", paramLabel = "N", defaultValue = "16",
      description = "Samples per device per tick (default: ${DEFAULT-VALUE}).")
  private int tick;

  @Option(names = "--tick-ms", paramLabel = "MS", defaultValue = "100",
      description = "Pause after each tick so the worker keeps up (default: ${DEFAULT-VALUE}).")
  private long tickMillis;

  @Option(names = "--window", paramLabel = "N", defaultValue = "400",
      description = "Scored samples per cohort in the accuracy window (default: "
          + "${DEFAULT-VALUE}).")
  private int window;

  @Option(names = "--upload-share", paramLabel = "SHARE", defaultValue = "1",
      description = "Most a device uploads, as a share of each --upload-window samples "
          + "(default: ${DEFAULT-VALUE}, only CEMA's entropy criteria).")
  private double uploadShare;

  @Option(names = "--upload-window", paramLabel = "N", defaultValue = "100",
      description = "Samples per upload budget window (default: ${DEFAULT-VALUE}).")
  private int uploadWindow;

  @Option(names = "--print-every", paramLabel = "TICKS", defaultValue = "10",
      description = "Print the timeline every so many ticks (default: ${DEFAULT-VALUE}).")
  private int printEvery;

  @Option(names = "--csv", paramLabel = "FILE",
      description = "Also write every tick of the timeline as CSV, for a chart.")
  private Path csv;

  @Option(names = "--topic-prefix", paramLabel = "PREFIX",
      defaultValue = TopicsConfig.DEFAULT_PREFIX,
      description = "Prefix of the topic names (default: ${DEFAULT-VALUE}).")
  private String topicPrefix;

  @Option(names = "--connect-timeout", paramLabel = "SECONDS", defaultValue = "10",
      description = "Give up if no broker answers within this long (default: ${DEFAULT-VALUE}).")
  private long connectTimeout;

  @Option(names = "--seed", paramLabel = "N", defaultValue = "0",
      description = "Seed of every random choice (default: ${DEFAULT-VALUE}).")
  private long seed;

  @Mixin
  private LabelledImagesOptions labelled = new LabelledImagesOptions();

  @Override
  public Integer call() throws IOException, InterruptedException {
    checkNumbers();
    requireFile("--public-key", publicKey);
    requireFile("--images", labelled.images);
    requireFile("--labels", labelled.labels);
    List<CohortPlan> plans = plans();
    PublicKey key = publicKey();
    Topics topics = Topics.of(new TopicsConfig(topicPrefix, Map.of()));
    ModelBundle bundle = ModelBundle.open(bundleDir);
    FleetConfig config = new FleetConfig(model == null ? bundle.manifest().name() : model, plans,
        devices, tick, samples, window, seed, UploadFilter.Config.cema(
            bundle.manifest().head().classes(), UploadFilter.Budget.share(uploadShare,
                uploadWindow)), Duration.ofMillis(tickMillis));
    LabeledImages source = LabeledImages.read(labelled.images, labelled.labels);
    PrintWriter out = spec.commandLine().getOut();
    FleetResult result;
    // the uplink first: it fails within --connect-timeout if no broker answers
    try (KafkaUplink uplink = new KafkaUplink(KafkaTraffic.connect(bootstrap,
            Duration.ofSeconds(connectTimeout), topics.traffic()), topics.traffic().name());
        KafkaParamsDelivery delivery = new KafkaParamsDelivery(
            Map.of("bootstrap.servers", bootstrap), topics.params().name(),
            topics.memory().name());
        FleetSimulator fleet = FleetSimulator.create(bundle, config, source, key, delivery,
            uplink);
        PrintWriter table = csv == null ? null : new PrintWriter(Files.newBufferedWriter(csv))) {
      out.printf("fleet     %d devices in %d cohorts of %s, %d samples each; %s -> %s%n",
          devices, plans.size(), config.model(), samples, topics.traffic().name(),
          topics.params().name());
      out.println(TimelineFormat.header());
      if (table != null) {
        table.println(TimelineFormat.CSV_HEADER);
      }
      result = fleet.run(points -> show(points, out, table));
    }
    summarize(out, result);
    return 0;
  }

  private void show(List<TimelinePoint> points, PrintWriter out, PrintWriter table) {
    for (TimelinePoint p : points) {
      if (p.tick() % printEvery == 0) {
        out.println(TimelineFormat.line(p));
      }
      if (table != null) {
        table.println(TimelineFormat.csv(p));
      }
    }
    out.flush();
  }

  private static void summarize(PrintWriter out, FleetResult result) {
    out.println("summary");
    for (CohortSummary c : result.cohorts().values()) {
      out.printf(Locale.ROOT, "  %-12s %-22s %8d samples  source %5.1f%%  adapted %5.1f%%  "
          + "version %d  uploaded %.1f%% (unreliable %d, low-informative %d, over budget %d)  "
          + "updates applied %d, rejected %d%n",
          c.cohort(), c.schedule(), c.samples(), 100 * c.sourceAccuracy(),
          100 * c.adaptedAccuracy(), c.finalVersion(), 100 * c.uploads().uploadShare(),
          c.uploads().unreliable(), c.uploads().lowInformative(), c.uploads().overBudget(),
          c.appliedUpdates(), c.rejectedUpdates());
    }
  }

  private void checkNumbers() {
    List<String> problems = new ArrayList<>();
    require(problems, cohorts >= 1, "--cohorts must be at least 1, got " + cohorts);
    require(problems, devices >= cohorts, "--devices (" + devices
        + ") must be at least --cohorts (" + cohorts + ")");
    require(problems, samples >= 1, "--samples must be at least 1, got " + samples);
    require(problems, tick >= 1, "--tick must be at least 1, got " + tick);
    require(problems, tickMillis >= 0, "--tick-ms must be 0 or more, got " + tickMillis);
    require(problems, window >= 1, "--window must be at least 1, got " + window);
    require(problems, uploadShare >= 0 && uploadShare <= 1,
        "--upload-share must be 0 to 1, got " + uploadShare);
    require(problems, uploadWindow >= 1, "--upload-window must be at least 1, got "
        + uploadWindow);
    require(problems, printEvery >= 1, "--print-every must be at least 1, got " + printEvery);
    require(problems, connectTimeout >= 1, "--connect-timeout must be at least 1, got "
        + connectTimeout);
    try {
      bootstrap = KafkaTraffic.checkBootstrap(bootstrap);
    } catch (IllegalArgumentException e) {
      problems.add("--bootstrap: " + e.getMessage());
    }
    if (!problems.isEmpty()) {
      throw bad(String.join("; ", problems));
    }
  }

  private static void require(List<String> problems, boolean ok, String message) {
    if (!ok) {
      problems.add(message);
    }
  }

  /** Cohort i is {@code cohort-i}, named as 'simulate stream' names its cohorts. */
  private List<CohortPlan> plans() throws IOException {
    List<Schedule> given = new ArrayList<>();
    for (String text : schedules) {
      given.add(schedule(text));
    }
    List<Schedule> perCohort = new ArrayList<>();
    if (given.isEmpty()) {
      for (int i = 0; i < cohorts; i++) {
        perCohort.add(Schedule.parse(DEFAULT_SCHEDULES.get(i % DEFAULT_SCHEDULES.size())));
      }
    } else {
      try {
        perCohort.addAll(TrafficPlan.perCohort(given, cohorts));
      } catch (IllegalArgumentException e) {
        throw bad("--schedule: " + e.getMessage());
      }
    }
    List<CohortPlan> plans = new ArrayList<>();
    for (int i = 0; i < cohorts; i++) {
      plans.add(new CohortPlan("cohort-" + i, perCohort.get(i)));
    }
    return plans;
  }

  private Schedule schedule(String text) throws IOException {
    try {
      return isFile(text) ? Schedule.read(Path.of(text)) : Schedule.parse(text);
    } catch (ScheduleException e) {
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

  private PublicKey publicKey() {
    try {
      return SigningKeys.readPublicKey(publicKey);
    } catch (KeyFileException e) {
      throw bad("--public-key: " + e.getMessage());
    }
  }

  private void requireFile(String option, Path file) {
    if (!Files.isRegularFile(file)) {
      throw bad(option + " " + file + ": no such file");
    }
  }

  private ParameterException bad(String message) {
    return new ParameterException(spec.commandLine(), message);
  }
}
