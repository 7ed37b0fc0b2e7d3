/**
 * The traffic simulator: shifted streams replayed as {@code InferenceSample} records on
 * {@code attune.traffic}, one stream per cohort, at a given rate.
 *
 * <p>{@link io.attune.simulators.traffic.TrafficPlan} says what to send,
 * {@link io.attune.simulators.traffic.TrafficProducer} sends it through any Kafka
 * {@code Producer}, paced by a {@link io.attune.simulators.traffic.Pacer} on an injectable
 * {@link io.attune.simulators.traffic.Ticker}; {@link io.attune.simulators.traffic.KafkaTraffic}
 * opens the real producer with bounded waits.
 */
package io.attune.simulators.traffic;
