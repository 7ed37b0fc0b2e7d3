package io.attune.simulators.fleet;

/**
 * Where simulated devices send the samples they chose to upload: the traffic topic in
 * production ({@link KafkaUplink}), an in-process worker in tests. Called from the simulator's
 * thread only.
 */
public interface Uplink extends AutoCloseable {

  /** Sends one sample; may buffer. */
  void upload(UploadedSample sample);

  /** Sends whatever is buffered; called after every simulator tick. */
  default void flush() {}

  @Override
  default void close() {}
}
