package dev.kirim.client;

import dev.kirim.protocol.cluster.ClusterProperties;
import dev.kirim.protocol.config.ConfigException;
import dev.kirim.protocol.config.ConfigReader;
import io.vertx.core.Deployable;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.launcher.application.HookContext;
import io.vertx.launcher.application.VertxApplication;
import io.vertx.launcher.application.VertxApplicationHooks;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.function.Supplier;

/**
 * The client jar's main class: the Vert.x launcher (all its options work) that waits for the push to end and
 * exits with its code: 0 all delivered, 1 a file failed somewhere, 2 bad usage or configuration. With
 * {@code "service": true} it keeps running, taking push jobs on {@code kirim.push}.
 */
public class ClientApplication extends VertxApplication implements VertxApplicationHooks {

  /** Bad usage or configuration: the message names the key. */
  public static final int EXIT_CONFIG = 2;
  private static final Set<String> HELP = Set.of("-h", "-help", "--help");

  private final List<ClientVerticle> verticles = new CopyOnWriteArrayList<>();
  private final Path confDir;

  private ClientApplication(String[] args, Path confDir) {
    super(args);
    this.confDir = confDir;
  }

  public static void main(String[] args) {
    System.setProperty("hazelcast.logging.type", System.getProperty("hazelcast.logging.type", "slf4j"));
    ClusterProperties.apply();
    String conf = null;
    boolean service = false;
    if (List.of(args).stream().noneMatch(HELP::contains)) {
      try {
        conf = ConfigReader.findConfArgument(args);
        service = validate(conf).isService();
      } catch (ConfigException e) {
        exit(EXIT_CONFIG, e.getMessage());
      }
    }
    ClientApplication application = new ClientApplication(args, conf == null ? null : confDir(conf));
    application.launch();
    // A service runs until stopped (Ctrl-C, SIGTERM); a one-shot push ends the process with its exit code.
    if (!service) {
      System.exit(application.awaitExitCode());
    }
  }

  private static ClientOptions validate(String conf) {
    if (conf == null) {
      throw new ConfigException("no configuration: run with -conf conf/client.json, or inline: "
        + "-conf '{\"targets\":[\"host:25563\"],\"files\":[\"report.csv\"]}'");
    }
    return new ClientOptions(withBaseDir(ConfigReader.load(conf), confDir(conf)));
  }

  /** @return the directory of the config file, the default {@code baseDir}; {@code null} for inline JSON */
  private static Path confDir(String conf) {
    return ConfigReader.isFile(conf) ? Path.of(conf).toAbsolutePath().getParent() : null;
  }

  /** Relative {@code files} resolve against the config file's directory unless {@code baseDir} says otherwise. */
  private static JsonObject withBaseDir(JsonObject config, Path confDir) {
    if (confDir != null && !config.containsKey("baseDir")) {
      config.put("baseDir", confDir.toString());
    }
    return config;
  }

  @Override
  public JsonObject afterConfigParsed(JsonObject config) {
    return withBaseDir(config == null ? new JsonObject() : config, confDir);
  }

  @Override
  public Supplier<? extends Deployable> verticleSupplier() {
    return () -> {
      ClientVerticle verticle = new ClientVerticle();
      verticles.add(verticle);
      return verticle;
    };
  }

  @Override
  public void afterFailureToDeployVerticle(HookContext context, Throwable failure) {
    if (failure instanceof ConfigException) {
      exit(EXIT_CONFIG, failure.getMessage());
    }
    context.vertx().close();
  }

  private int awaitExitCode() {
    try {
      return Future.all(verticles.stream().map(ClientVerticle::completion).toList())
        .map(all -> verticles.stream().mapToInt(v -> v.completion().result().exitCode()).max().orElse(0))
        .toCompletionStage().toCompletableFuture().get();
    } catch (ExecutionException e) {
      System.err.println("kirim-client: error: " + e.getCause().getMessage());
      return PushReport.EXIT_FAILED;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return PushReport.EXIT_FAILED;
    }
  }

  private static void exit(int code, String message) {
    System.err.println("kirim-client: error: " + message);
    System.exit(code);
  }
}
