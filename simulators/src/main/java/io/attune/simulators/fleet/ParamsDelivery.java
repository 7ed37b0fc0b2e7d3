package io.attune.simulators.fleet;

import io.attune.edge.EdgeModel;

/**
 * How parameter updates reach simulated devices: a {@link io.attune.edge.ParamsSubscriber} per
 * device in production ({@link KafkaParamsDelivery}), a direct call in tests
 * ({@link DirectDelivery}). Either way each device's {@link EdgeModel#apply} verifies what it
 * gets.
 */
public interface ParamsDelivery extends AutoCloseable {

  /** Starts handing {@code device} the updates of its {@code model/cohort}. */
  void connect(EdgeModel device);

  /** Stops delivering; the devices keep their parameters. */
  @Override
  void close();
}
