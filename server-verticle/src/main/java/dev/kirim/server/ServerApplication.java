package dev.kirim.server;

import dev.kirim.http.HttpEndpoints;
import dev.kirim.launch.KirimApplication;
import dev.kirim.log.LogFormat;
import io.vertx.core.Deployable;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.launcher.application.HookContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The server jar's main class: the Vert.x launcher (all its options work) plus clear one-line messages and
 * documented exit codes for the failures a user can fix.
 */
public class ServerApplication extends KirimApplication {

  private static final Logger log = LoggerFactory.getLogger(ServerApplication.class);

  // Set once every instance has started (by the last one, on its event loop), read by the signal handler and the
  // launcher's shutdown hook. Not in afterVerticleDeployed: the launcher logs "Succeeded in deploying verticle"
  // before it calls that hook, and a SIGTERM sent on seeing that line must find the server started.
  private volatile boolean deployed;
  private final AtomicInteger startedInstances = new AtomicInteger();
  private boolean metrics;

  /** Bad usage or configuration. */
  public static final int EXIT_CONFIG = KirimApplication.EXIT_CONFIG;
  /** The address is in use, not permitted, the storage directory is unusable, or the serverId is taken. */
  public static final int EXIT_LISTEN = 3;

  public ServerApplication(String[] args) {
    super("kirim-server", args);
  }

  private ServerApplication(ServerCommandLine commandLine) {
    super("kirim-server", commandLine);
  }

  public static void main(String[] args) {
    ServerCommandLine commandLine = new ServerCommandLine();
    int exit = commandLine.parse(args, System.out, System.err);
    if (exit != ServerCommandLine.CONTINUE) {
      System.exit(exit);
    }
    if (commandLine.hashTokenRequested()) {
      System.exit(HashToken.run(System.in, System.out, System.err));
    }
    ServerApplication application = new ServerApplication(commandLine);
    StartInterruption.install("kirim-server", () -> application.deployed);
    application.start();
  }

  /**
   * Without {@code -conf} or flags every key has its default. The log format is taken from here on
   * ({@code logFormat}), and whether Vert.x must keep metrics ({@code http}).
   */
  @Override
  protected void checkConfiguration(String conf) {
    JsonObject config = loadConfiguration(conf);
    if (config != null) {
      ServerOptions options = new ServerOptions(config);
      LogFormat.activate(options.getLogFormat());
      metrics = options.getHttp() != null;
    }
  }

  /**
   * With an HTTP port, Vert.x keeps Micrometer metrics in a Prometheus registry (its net, pool and JVM meters
   * join kirim's on {@code /metrics}); without one it keeps none, which costs nothing. Metrics options given
   * with {@code -options} win.
   */
  @Override
  public VertxBuilder createVertxBuilder(VertxOptions options) {
    return super.createVertxBuilder(metrics ? HttpEndpoints.withMetrics(options) : options);
  }

  @Override
  protected int exitCodeFor(Throwable failure) {
    return failure instanceof ListenException || failure instanceof DuplicateServerIdException ? EXIT_LISTEN
      : super.exitCodeFor(failure);
  }

  /**
   * Ctrl-C, SIGTERM: the launcher's shutdown hook undeploys the verticles and closes Vert.x; this says so, once,
   * for a server that had started (a failed start has already said why it ends).
   */
  @Override
  public void beforeStoppingVertx(HookContext context) {
    if (!deployed) {
      return;
    }
    log.info("kirim server shutting down: no new connections; uploads in progress keep their partial files for "
      + "the clients to resume");
  }

  @Override
  public Supplier<? extends Deployable> verticleSupplier() {
    return () -> new ServerVerticle(instances -> {
      if (startedInstances.incrementAndGet() == instances) {
        deployed = true;
      }
    });
  }
}
