/**
 * The edge-fleet simulator: simulated devices in cohorts, each replaying a shift schedule with the
 * edge SDK ({@link io.attune.edge.EdgeModel}, {@link io.attune.edge.UploadFilter}), uploading
 * through a pluggable {@link io.attune.simulators.fleet.Uplink} and receiving parameters through
 * a pluggable {@link io.attune.simulators.fleet.ParamsDelivery}, scored against a frozen source
 * twin per cohort. {@link io.attune.simulators.fleet.FleetSimulator} runs it;
 * {@link io.attune.simulators.fleet.TimelineFormat} prints its timeline.
 */
package io.attune.simulators.fleet;
