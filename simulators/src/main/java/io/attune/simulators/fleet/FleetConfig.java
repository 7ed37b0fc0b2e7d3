package io.attune.simulators.fleet;

import io.attune.adaptation.method.ConfigProblems;
import io.attune.edge.UploadFilter;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * A simulated fleet.
 *
 * @param model model id, as updates and uploads name it
 * @param cohorts the cohorts; device {@code i} belongs to cohort {@code i % cohorts.size()}
 * @param devices number of devices, at least one per cohort
 * @param samplesPerTick samples each device sees per tick
 * @param samplesPerDevice samples each device sees in all (its stream is cut there)
 * @param accuracyWindow scored samples per cohort that the timeline's window accuracies cover
 * @param seed seed of every random choice; device {@code i} replays its schedule with
 *     {@code seed + i}
 * @param uploadFilter each device's upload filter (the state is per device)
 * @param tickPause wait after each tick, so that a remote worker keeps up; zero for none
 */
public record FleetConfig(String model, List<CohortPlan> cohorts, int devices, int samplesPerTick,
    long samplesPerDevice, int accuracyWindow, long seed, UploadFilter.Config uploadFilter,
    Duration tickPause) {

  /** @throws IllegalArgumentException listing every field out of range */
  public FleetConfig {
    Objects.requireNonNull(model, "model");
    cohorts = List.copyOf(cohorts);
    Objects.requireNonNull(uploadFilter, "uploadFilter");
    Objects.requireNonNull(tickPause, "tickPause");
    new ConfigProblems("fleet")
        .require(!cohorts.isEmpty(), "at least one cohort is needed")
        .require(cohorts.stream().map(CohortPlan::name).distinct().count() == cohorts.size(),
            "cohort names must differ")
        .require(devices >= cohorts.size(), "devices (" + devices
            + ") must be at least the number of cohorts (" + cohorts.size() + ")")
        .require(samplesPerTick >= 1, "samplesPerTick must be at least 1, got "
            + samplesPerTick)
        .require(samplesPerDevice >= 1, "samplesPerDevice must be at least 1, got "
            + samplesPerDevice)
        .require(accuracyWindow >= 1, "accuracyWindow must be at least 1, got "
            + accuracyWindow)
        .require(!tickPause.isNegative(), "tickPause must not be negative, got " + tickPause)
        .throwIfAny();
  }
}
