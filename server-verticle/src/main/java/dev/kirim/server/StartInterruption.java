package dev.kirim.server;

import sun.misc.Signal;

import java.util.function.BooleanSupplier;

/**
 * SIGINT / SIGTERM for the server jar. Once the server has started, a signal ends it as before: {@code System.exit}
 * with {@code 128 + signal} runs the launcher's shutdown hook, which undeploys the verticle and closes Vert.x
 * (and {@link ServerApplication} logs one line). While it is still starting, that hook would undeploy a verticle
 * in the middle of its deployment, and Vert.x and Netty log a stack trace for each step it cuts short
 * ("Verticle un-deployed", {@code RejectedExecutionException}, "Promise already completed"). Then nothing has
 * been received yet and there is nothing to close cleanly: this prints one line and halts.
 * <p>
 * {@code sun.misc.Signal} (module {@code jdk.unsupported}) is the JDK's only way to act on a signal before the
 * shutdown hooks run.
 */
final class StartInterruption {

  private StartInterruption() {
  }

  /** @param started whether the verticle is deployed */
  static void install(String program, BooleanSupplier started) {
    for (String name : new String[] {"INT", "TERM"}) {
      Signal.handle(new Signal(name), signal -> {
        int code = 128 + signal.getNumber();
        if (!started.getAsBoolean()) {
          System.err.println(program + ": stopped by SIG" + signal.getName() + " while starting; nothing was received");
          System.err.flush();
          Runtime.getRuntime().halt(code);
        }
        System.exit(code);
      });
    }
  }
}
