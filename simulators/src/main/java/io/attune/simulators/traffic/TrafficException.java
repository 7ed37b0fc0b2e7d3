package io.attune.simulators.traffic;

/** Kafka cannot be reached, or refused or lost records; the message says where and how many. */
public final class TrafficException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /** A failure caused by a Kafka client exception, kept as the cause. */
  public TrafficException(String message, Throwable cause) {
    super(message, cause);
  }
}
