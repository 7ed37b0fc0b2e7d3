package io.attune.simulators.fleet;

import io.attune.adaptation.bundle.ModelBundle;
import io.attune.adaptation.runtime.RuntimeOptions;
import io.attune.edge.EdgeModel;
import io.attune.edge.EdgeStats;
import io.attune.edge.UploadFilter;
import io.attune.simulators.schedule.LabeledImages;
import io.attune.simulators.schedule.ShiftStream;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToLongFunction;

/**
 * A fleet of simulated edge devices in cohorts. Each device replays its cohort's shift schedule
 * (in its own seeded order), predicts with an {@link EdgeModel} holding whatever parameters its
 * {@link ParamsDelivery} has brought it, decides uploads with its own {@link UploadFilter} and
 * sends them through the {@link Uplink}. A frozen twin per cohort predicts the same samples
 * with the source parameters, so the timeline shows, per cohort, what adaptation gains.
 *
 * <p>A tick gives every device {@code samplesPerTick} samples, device after device on the
 * calling thread, then flushes the uplink and tells the listener. With a direct delivery and an
 * in-process worker the run is deterministic; with Kafka, updates arrive when they arrive.
 *
 * <p>The simulator owns its devices' and twins' models and closes them; the caller owns the
 * delivery and the uplink.
 */
public final class FleetSimulator implements AutoCloseable {

  private final FleetConfig config;
  private final Uplink uplink;
  private final List<CohortTally> cohorts;
  private final List<SimulatedDevice> devices;

  private FleetSimulator(FleetConfig config, Uplink uplink, List<CohortTally> cohorts,
      List<SimulatedDevice> devices) {
    this.config = config;
    this.uplink = uplink;
    this.cohorts = cohorts;
    this.devices = devices;
  }

  /**
   * Opens a model per device and a twin per cohort, and connects the devices to the delivery.
   *
   * @param source the labelled images the schedules corrupt
   * @param trustedKey the key that signs parameter updates
   * @throws IllegalArgumentException if the images do not fit the bundle's input
   */
  public static FleetSimulator create(ModelBundle bundle, FleetConfig config,
      LabeledImages source, PublicKey trustedKey, ParamsDelivery delivery, Uplink uplink) {
    long inputSize = Arrays.stream(bundle.sampleShape()).reduce(1, Math::multiplyExact);
    if (source.shape().size() != inputSize) {
      throw new IllegalArgumentException("images of " + source.shape() + " do not fit the "
          + "model's input " + Arrays.toString(bundle.sampleShape()));
    }
    List<CohortTally> cohorts = new ArrayList<>();
    List<SimulatedDevice> devices = new ArrayList<>();
    UploadFilter filter = new UploadFilter(config.uploadFilter());
    try {
      for (CohortPlan plan : config.cohorts()) {
        cohorts.add(new CohortTally(plan, open(bundle, config, plan, trustedKey),
            config.accuracyWindow()));
      }
      for (int i = 0; i < config.devices(); i++) {
        CohortTally cohort = cohorts.get(i % cohorts.size());
        ShiftStream stream = ShiftStream.open(cohort.plan().schedule().withShuffle(true), source,
            config.seed() + i).limit(config.samplesPerDevice());
        EdgeModel model = open(bundle, config, cohort.plan(), trustedKey);
        devices.add(new SimulatedDevice(cohort.name() + "-d" + i, cohort, model, stream,
            filter));
        delivery.connect(model);
      }
    } catch (RuntimeException e) {
      closeAll(cohorts, devices);
      throw e;
    }
    return new FleetSimulator(config, uplink, cohorts, devices);
  }

  private static EdgeModel open(ModelBundle bundle, FleetConfig config, CohortPlan plan,
      PublicKey key) {
    return EdgeModel.open(bundle, new EdgeModel.Options(config.model(), plan.name(), key,
        RuntimeOptions.cpu(1)));
  }

  /**
   * Runs every device to the end of its stream.
   *
   * @throws InterruptedException if interrupted during a tick pause
   */
  public FleetResult run(FleetListener listener) throws InterruptedException {
    List<TimelinePoint> timeline = new ArrayList<>();
    int tick = 0;
    while (devices.stream().anyMatch(SimulatedDevice::hasNext)) {
      tick++;
      for (SimulatedDevice device : devices) {
        if (device.hasNext()) {
          device.tick(config.samplesPerTick(), uplink);
        }
      }
      uplink.flush();
      List<TimelinePoint> points = points(tick);
      timeline.addAll(points);
      listener.onTick(points);
      if (!config.tickPause().isZero()) {
        Thread.sleep(config.tickPause().toMillis());
      }
    }
    return new FleetResult(timeline, summaries());
  }

  private List<TimelinePoint> points(int tick) {
    List<TimelinePoint> points = new ArrayList<>();
    for (CohortTally c : cohorts) {
      List<SimulatedDevice> members = members(c);
      points.add(new TimelinePoint(tick, c.name(), c.plan().schedule().spec(), c.samples(),
          c.source().window(), c.adapted().window(), c.source().overall(),
          c.adapted().overall(),
          members.stream().mapToLong(SimulatedDevice::version).min().orElse(0),
          members.stream().mapToLong(SimulatedDevice::version).max().orElse(0),
          uploads(members), sum(members, EdgeStats::rejectedTotal)));
    }
    return points;
  }

  private Map<String, CohortSummary> summaries() {
    Map<String, CohortSummary> out = new LinkedHashMap<>();
    for (CohortTally c : cohorts) {
      List<SimulatedDevice> members = members(c);
      out.put(c.name(), new CohortSummary(c.name(), c.plan().schedule().spec(), c.samples(),
          c.source().overall(), c.adapted().overall(),
          members.stream().mapToLong(SimulatedDevice::version).max().orElse(0),
          uploads(members), sum(members, EdgeStats::applied),
          sum(members, EdgeStats::rejectedTotal)));
    }
    return out;
  }

  private static long sum(List<SimulatedDevice> members, ToLongFunction<EdgeStats> counter) {
    return members.stream().mapToLong(d -> counter.applyAsLong(d.model().stats())).sum();
  }

  private List<SimulatedDevice> members(CohortTally cohort) {
    List<SimulatedDevice> out = new ArrayList<>();
    for (int i = cohorts.indexOf(cohort); i < devices.size(); i += cohorts.size()) {
      out.add(devices.get(i));
    }
    return out;
  }

  private static UploadFilter.Counts uploads(List<SimulatedDevice> members) {
    return members.stream().map(SimulatedDevice::uploads)
        .reduce(UploadFilter.Counts.ZERO, UploadFilter.Counts::plus);
  }

  /** The devices' models, in device order (device {@code i} is in cohort {@code i % M}). */
  public List<EdgeModel> deviceModels() {
    return devices.stream().map(SimulatedDevice::model).toList();
  }

  @Override
  public void close() {
    closeAll(cohorts, devices);
  }

  private static void closeAll(List<CohortTally> cohorts, List<SimulatedDevice> devices) {
    devices.forEach(d -> d.model().close());
    cohorts.forEach(c -> c.twin().close());
  }
}
