package io.attune.cli;

import io.attune.schemas.CohortKey;
import io.attune.schemas.InferenceSample;
import io.attune.schemas.Topic;
import io.attune.schemas.TopicId;
import io.attune.schemas.Topics;
import io.attune.simulators.schedule.LabeledImages;
import io.attune.simulators.schedule.Schedule;
import io.attune.simulators.schedule.ScheduleException;
import io.attune.simulators.schedule.ShiftStream;
import io.attune.simulators.traffic.KafkaTraffic;
import io.attune.simulators.traffic.Ticker;
import io.attune.simulators.traffic.TrafficPlan;
import io.attune.simulators.traffic.TrafficProducer;
import io.attune.simulators.traffic.TrafficReport;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.config.ConfigException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code attune simulate stream}: a schedule per cohort, sent to Kafka as live traffic. */
@Command(
    name = "stream",
    mixinStandardHelpOptions = true,
    usageHelpAutoWidth = true,
    header = "Send shifted streams to Kafka as InferenceSample traffic.",
    description = {
      "",
      "Plays a schedule over the labelled images for each of N cohorts (cohort-0, cohort-1, "
          + "...) and sends the samples, interleaved, to the traffic topic: keyed MODEL/COHORT, "
          + "uint8 [1, 28, 28] tensors, with the true label for evaluation (-1 for open-set "
          + "noise). Cohort i plays with seed SEED+i. The producer is idempotent (acks=all).",
      ""
    },
    footer = {
      "",
      "Examples:",
      "  ./attune simulate stream --schedule gaussian_noise:5 --bootstrap localhost:9092 \\",
      "      --model fmnist-resnet --cohorts 4 --rate 200",
      "  ./attune simulate stream --schedule fog:5 --schedule 'continual:contrast:5,jpeg:5' \\",
      "      --bootstrap localhost:9092 --model fmnist-resnet --cohorts 2 --rate 0 --limit 1000"
    })
final class SimulateStreamCommand implements Callable<Integer> {

  @Spec
  private CommandSpec spec;

  @Option(names = "--schedule", required = true, paramLabel = "SPEC",
      description = "A compact schedule, its JSON form, or a file holding either; once for all "
          + "cohorts, or once per cohort in cohort order.")
  private List<String> schedules;

  @Option(names = "--bootstrap", required = true, paramLabel = "HOST:PORT",
      description = "Kafka bootstrap servers, comma-separated.")
  private String bootstrap;

  @Option(names = "--model", required = true, paramLabel = "MODEL",
      description = "Model id the samples name, as in the worker's model catalog.")
  private String model;

  @Option(names = "--cohorts", paramLabel = "N", defaultValue = "1",
      description = "Number of cohorts (default: ${DEFAULT-VALUE}).")
  private int cohorts;

  @Option(names = "--rate", paramLabel = "R", defaultValue = "100",
      description = "Samples per second over all cohorts; 0 sends as fast as Kafka takes them "
          + "(default: ${DEFAULT-VALUE}).")
  private double rate;

  @Option(names = "--limit", paramLabel = "N",
      description = "Send at most the first N samples of each cohort's stream.")
  private Long limit;

  @Option(names = "--topic", paramLabel = "TOPIC",
      description = "Topic to write to (default: attune.traffic).")
  private String topic;

  @Option(names = "--seed", paramLabel = "N", defaultValue = "0",
      description = "Seed of cohort 0; cohort i uses N+i (default: ${DEFAULT-VALUE}).")
  private long seed;

  @Option(names = "--connect-timeout", paramLabel = "SECONDS", defaultValue = "10",
      description = "How long to wait for Kafka to answer (default: ${DEFAULT-VALUE}).")
  private double connectTimeout;

  @Mixin
  private LabelledImagesOptions labelled = new LabelledImagesOptions();

  @Override
  public Integer call() throws IOException, InterruptedException {
    final TrafficPlan plan = plan();
    final String servers = servers();
    final Duration timeout = timeout();
    requireFile("--images", labelled.images);
    requireFile("--labels", labelled.labels);
    final LabeledImages source = LabeledImages.read(labelled.images, labelled.labels);
    final long total = TrafficProducer.streams(plan, source).stream()
        .mapToLong(ShiftStream::length).sum();
    final Producer<CohortKey, InferenceSample> kafka =
        KafkaTraffic.connect(servers, timeout, trafficTopic());
    final TrafficReport report;
    try (ProgressBar progress = new ProgressBar(spec.commandLine().getErr(), "stream", total)) {
      report = new TrafficProducer(kafka, Ticker.system()).run(plan, source, progress);
    } finally {
      // After a failure records may still be pending; do not wait for them longer than for Kafka.
      kafka.close(timeout);
    }
    report(spec.commandLine().getOut(), plan, servers, report);
    return 0;
  }

  private TrafficPlan plan() throws IOException {
    final List<Schedule> parsed = new ArrayList<>();
    for (String text : schedules) {
      parsed.add(schedule(text));
    }
    if (cohorts < 1) {
      throw bad("--cohorts must be at least 1, got " + cohorts);
    }
    if (!(rate >= 0) || Double.isInfinite(rate)) {
      throw bad("--rate must be 0 (as fast as possible) or a positive number of samples per "
          + "second, got " + rate);
    }
    if (limit != null && limit < 1) {
      throw bad("--limit must be at least 1, got " + limit);
    }
    try {
      new CohortKey(model, TrafficPlan.cohortName(0));
    } catch (IllegalArgumentException e) {
      throw bad("--model: " + e.getMessage());
    }
    final List<Schedule> perCohort;
    try {
      perCohort = TrafficPlan.perCohort(parsed, cohorts);
    } catch (IllegalArgumentException e) {
      throw bad("--schedule: " + e.getMessage());
    }
    return new TrafficPlan(model, perCohort, seed, rate,
        limit == null ? OptionalLong.empty() : OptionalLong.of(limit), trafficTopic().name());
  }

  private Topic<CohortKey, InferenceSample> trafficTopic() {
    try {
      return topic == null ? Topics.defaults().traffic()
          : Topics.fromConfig(Map.of(TopicId.TRAFFIC.configKey(), topic)).traffic();
    } catch (ConfigException e) {
      throw bad("--topic: " + e.getMessage().replace(TopicId.TRAFFIC.configKey() + ": ", ""));
    }
  }

  private Schedule schedule(String text) throws IOException {
    try {
      return isFile(text) ? Schedule.read(Path.of(text)) : Schedule.parse(text);
    } catch (ScheduleException e) {
      throw new ParameterException(spec.commandLine(), "--schedule: " + e.getMessage(), e);
    }
  }

  private String servers() {
    try {
      return KafkaTraffic.checkBootstrap(bootstrap);
    } catch (IllegalArgumentException e) {
      throw bad("--bootstrap: " + e.getMessage());
    }
  }

  private Duration timeout() {
    if (!(connectTimeout > 0) || connectTimeout > 3600) {
      throw bad("--connect-timeout must be more than 0 and at most 3600 seconds, got "
          + connectTimeout);
    }
    return Duration.ofMillis(Math.round(connectTimeout * 1000));
  }

  private static boolean isFile(String text) {
    try {
      return Files.isRegularFile(Path.of(text));
    } catch (InvalidPathException notAPath) {
      return false;
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

  private static void report(PrintWriter out, TrafficPlan plan, String servers,
      TrafficReport report) {
    out.printf(Locale.ROOT, "sent      %d samples to %s at %s in %.1f s (%.0f samples/s)%n",
        report.samples(), report.topic(), servers, report.seconds(), report.rate());
    int index = 0;
    for (Map.Entry<String, Long> cohort : report.perCohort().entrySet()) {
      out.printf(Locale.ROOT, "  %-12s %8d  %s/%s  %s (seed %d)%n", cohort.getKey(),
          cohort.getValue(), plan.model(), cohort.getKey(), plan.schedules().get(index).spec(),
          plan.seed() + index);
      index++;
    }
  }
}
