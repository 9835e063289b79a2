package dev.kirim.client;

import sun.misc.Signal;

import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * Ctrl-C (SIGINT) and SIGTERM for a one-shot push: the first one interrupts the push, so that the program can
 * still print the summary and write the report before it exits with {@code 128 + signal} (130, 143); a second
 * one ends the JVM at once with that code.
 * <p>
 * Why not a shutdown hook: the JVM runs its hooks, the launcher's among them (it closes Vert.x), all at once and
 * in no order, so the push would die under the report writer with a {@code RejectedExecutionException}. With
 * these handlers installed the JVM runs no hooks for the signal; they run later, on the program's own
 * {@code System.exit}, once the report is written. {@code sun.misc.Signal} (module {@code jdk.unsupported}) is
 * the JDK's only way to tell the two signals apart.
 */
final class Interruption {

  /** The exit code of a push interrupted by SIGINT (Ctrl-C): 128 + 2. */
  static final int EXIT_SIGINT = 130;
  /** The exit code of a push interrupted by SIGTERM: 128 + 15. */
  static final int EXIT_SIGTERM = 143;

  private final AtomicReference<Signal> received = new AtomicReference<>();
  private volatile String reason;

  private Interruption() {
  }

  /**
   * Installs the handlers for SIGINT and SIGTERM.
   *
   * @param interrupt called once, on the signal's thread, with the reason (e.g. {@code interrupted by SIGINT})
   */
  static Interruption install(Consumer<String> interrupt) {
    Interruption interruption = new Interruption();
    for (String name : new String[] {"INT", "TERM"}) {
      Signal.handle(new Signal(name), signal -> interruption.handle(signal, interrupt));
    }
    return interruption;
  }

  private void handle(Signal signal, Consumer<String> interrupt) {
    if (!received.compareAndSet(null, signal)) {
      // A second signal: the user does not want to wait for the report.
      Runtime.getRuntime().halt(exitCode(received.get()));
    }
    reason = "interrupted by SIG" + signal.getName();
    interrupt.accept(reason);
  }

  /** @return why the push was interrupted, {@code null} while no signal arrived */
  String reason() {
    return reason;
  }

  /** @return whether a signal arrived */
  boolean happened() {
    return received.get() != null;
  }

  /** @return 130 for SIGINT, 143 for SIGTERM; only when {@link #happened()} */
  int exitCode() {
    return exitCode(received.get());
  }

  private static int exitCode(Signal signal) {
    return 128 + signal.getNumber();
  }
}
