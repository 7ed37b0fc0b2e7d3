package io.attune.cli;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Ctrl-C for a command that owns running services. The shutdown hook does not close them itself:
 * the command's thread may be in the middle of an ONNX Runtime call on a session that closing
 * would free under it. The hook records the request and holds the JVM's exit until the command's
 * thread has closed everything, in its own order, and called {@link #close}.
 *
 * <p>The command sees the request at its next {@link #checkpoint}, or at once inside
 * {@link #interruptibly}, where the hook interrupts its thread. Only code that handles an
 * interrupt belongs there: interrupting a starting Kafka broker makes it log a fatal error with
 * a stack trace. Once the command calls {@link #beginClosing}, Ctrl-C no longer interrupts it:
 * Kafka clients closed on an interrupted thread fail instead of closing.
 */
final class CtrlC implements AutoCloseable {

  private final Thread owner;
  private final Duration closeTimeout;
  private final CountDownLatch closed = new CountDownLatch(1);
  private final Thread hook;
  private boolean requested;
  private boolean interruptible;
  private boolean closing;

  private CtrlC(Thread owner, Duration closeTimeout) {
    this.owner = owner;
    this.closeTimeout = closeTimeout;
    this.hook = new Thread(this::stop, "attune-ctrl-c");
  }

  /** Installs the hook for the calling thread; the JVM waits at most {@code closeTimeout}. */
  static CtrlC install(Duration closeTimeout) {
    CtrlC ctrlC = new CtrlC(Thread.currentThread(), closeTimeout);
    Runtime.getRuntime().addShutdownHook(ctrlC.hook);
    return ctrlC;
  }

  private void stop() {
    synchronized (this) {
      requested = true;
      if (interruptible && !closing) {
        owner.interrupt();
      }
    }
    try {
      closed.await(closeTimeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Whether Ctrl-C (or any JVM shutdown) asked the command to stop. */
  synchronized boolean requested() {
    return requested;
  }

  /** @throws Stopped if Ctrl-C was pressed */
  synchronized void checkpoint() {
    if (requested) {
      throw new Stopped();
    }
  }

  /**
   * Runs {@code body}, which Ctrl-C interrupts.
   *
   * @throws Stopped if Ctrl-C was pressed before
   */
  <T> T interruptibly(Callable<T> body) throws Exception {
    synchronized (this) {
      checkpoint();
      interruptible = true;
    }
    try {
      return body.call();
    } finally {
      synchronized (this) {
        interruptible = false;
      }
    }
  }

  /**
   * Stops further interrupts and clears the calling thread's interrupt flag.
   *
   * @return whether the command is stopping because of Ctrl-C
   */
  synchronized boolean beginClosing() {
    closing = true;
    Thread.interrupted();
    return requested;
  }

  /** Thrown at a {@link #checkpoint} after Ctrl-C. */
  static final class Stopped extends RuntimeException {
    Stopped() {
      super("stopped by Ctrl-C", null, false, false);
    }
  }

  /** Everything is closed: lets the JVM exit, or removes the hook when nobody pressed Ctrl-C. */
  @Override
  public void close() {
    closed.countDown();
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // the JVM is exiting because of Ctrl-C; the hook is running and may not be removed
    }
  }
}
