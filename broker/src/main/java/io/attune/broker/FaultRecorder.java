package io.attune.broker;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import kafka.server.FaultHandlerFactory;
import org.apache.kafka.server.fault.FaultHandler;
import org.apache.kafka.server.fault.FaultHandlerException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fault handlers of an embedded server. Kafka's own fatal-fault handler halts the process,
 * which would end the demo or the test run; this one logs the fault, runs the component's fault
 * action, and keeps the first fatal fault so that the owner can report it.
 */
final class FaultRecorder implements FaultHandlerFactory {

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);

  private final AtomicReference<FaultHandlerException> firstFatal = new AtomicReference<>();

  @Override
  public FaultHandler build(String name, boolean fatal, Runnable action) {
    return (message, cause) -> {
      FaultHandlerException fault = new FaultHandlerException(name + ": " + message, cause);
      LOG.error("Embedded Kafka {} fault in {}: {}", fatal ? "fatal" : "non-fatal", name,
          message, cause);
      if (fatal) {
        firstFatal.compareAndSet(null, fault);
      }
      try {
        action.run();
      } catch (RuntimeException e) {
        fault.addSuppressed(e);
      }
      return fault;
    };
  }

  /** The first fault after which a stand-alone Kafka server would have halted, if any. */
  Optional<FaultHandlerException> firstFatal() {
    return Optional.ofNullable(firstFatal.get());
  }
}
