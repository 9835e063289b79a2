package dev.kirim.server;

import dev.kirim.protocol.cluster.ClusterProperties;
import dev.kirim.protocol.config.ConfigException;
import dev.kirim.protocol.config.ConfigReader;
import io.vertx.core.Deployable;
import io.vertx.launcher.application.HookContext;
import io.vertx.launcher.application.VertxApplication;
import io.vertx.launcher.application.VertxApplicationHooks;

import java.util.function.Supplier;

/**
 * The server jar's main class: the Vert.x launcher (all its options work) plus clear one-line messages and
 * documented exit codes for the failures a user can fix.
 */
public class ServerApplication extends VertxApplication implements VertxApplicationHooks {

  /** Bad usage or configuration. */
  public static final int EXIT_CONFIG = 2;
  /** The address is in use, not permitted, or the storage directory is unusable. */
  public static final int EXIT_LISTEN = 3;

  public ServerApplication(String[] args) {
    super(args);
  }

  public static void main(String[] args) {
    System.setProperty("hazelcast.logging.type", System.getProperty("hazelcast.logging.type", "slf4j"));
    ClusterProperties.apply();
    try {
      String conf = ConfigReader.findConfArgument(args);
      if (conf != null) {
        new ServerOptions(ConfigReader.load(conf));
      }
    } catch (ConfigException e) {
      exit(EXIT_CONFIG, e.getMessage());
    }
    new ServerApplication(args).launch();
  }

  @Override
  public Supplier<? extends Deployable> verticleSupplier() {
    return ServerVerticle::new;
  }

  @Override
  public void afterFailureToDeployVerticle(HookContext context, Throwable failure) {
    if (failure instanceof ConfigException) {
      exit(EXIT_CONFIG, failure.getMessage());
    } else if (failure instanceof ListenException) {
      exit(EXIT_LISTEN, failure.getMessage());
    }
    context.vertx().close();
  }

  private static void exit(int code, String message) {
    System.err.println("kirim-server: error: " + message);
    System.exit(code);
  }
}
