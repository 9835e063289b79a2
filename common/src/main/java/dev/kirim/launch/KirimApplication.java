package dev.kirim.launch;

import dev.kirim.cluster.ClusterProperties;
import dev.kirim.cluster.ClusterTls;
import dev.kirim.config.ConfigException;
import dev.kirim.config.ConfigReader;
import dev.kirim.log.LogFormat;
import dev.kirim.tls.TlsConfig;
import io.vertx.core.json.JsonObject;
import io.vertx.launcher.application.HookContext;
import io.vertx.launcher.application.VertxApplication;
import io.vertx.launcher.application.VertxApplicationHooks;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Set;

/**
 * The start-up both kirim jars share: the Vert.x launcher, so that every one of its options keeps working
 * ({@code -conf}, {@code -cluster}, {@code -instances}, {@code -options}, …), plus what users of a command-line
 * tool expect from it: a configuration error is one line on stderr naming the key and exit code
 * {@value #EXIT_CONFIG}, never a stack trace. With {@code -cluster}, the configuration's {@code cluster.tls}
 * turns on TLS on the event bus ({@link ClusterTls}).
 * <p>
 * A subclass is the jar's {@code Main-Class}: its {@code main} creates it and calls {@link #start()}.
 */
public abstract class KirimApplication extends VertxApplication implements VertxApplicationHooks {

  /** Bad usage or configuration: one line names the problem. */
  public static final int EXIT_CONFIG = 2;

  private static final Logger log = LoggerFactory.getLogger(KirimApplication.class);

  private static final Set<String> HELP = Set.of("-h", "-help", "--help");
  private static final Set<String> CLUSTER = Set.of("-cluster", "--cluster", "-c");

  private final String program;
  private final List<String> args;
  private KirimCommandLine commandLine;
  // The checked cluster.tls, when clustered; null: a plain event bus.
  private TlsConfig.Member clusterTls;

  /**
   * @param program the name errors start with, e.g. {@code kirim-server}
   * @param args    the command line
   */
  protected KirimApplication(String program, String[] args) {
    super(args);
    this.program = program;
    this.args = List.of(args);
  }

  /** @return whether the command line asks for a clustered Vert.x ({@code -cluster}, {@code --cluster}, {@code -c}) */
  protected final boolean clusterRequested() {
    return args.stream().anyMatch(arg -> CLUSTER.contains(arg) || arg.startsWith("--cluster="));
  }

  /**
   * @param program     the name errors start with, e.g. {@code kirim-server}
   * @param commandLine the parsed command line: the launcher runs with its launcher options, its flags override
   *                    the configuration
   */
  protected KirimApplication(String program, KirimCommandLine commandLine) {
    this(program, commandLine.launcherArgs().toArray(String[]::new));
    this.commandLine = commandLine;
  }

  /**
   * Prepares the JVM, checks the configuration and runs the launcher.
   * <p>
   * The configuration is checked here, before Vert.x starts, because the launcher's own {@code -conf}
   * handling is not enough: a path it cannot read only logs a warning and deploys with an empty
   * configuration, and a file that is not valid JSON is taken for inline JSON; either way the user learns
   * of it late, if at all, and a failing deployment ends with the launcher's generic exit code 15.
   *
   * @return what {@link #launch()} returns
   */
  protected final int start() {
    // Hazelcast logs through SLF4J, like the rest; the bundled cluster.xml gets its variables' defaults.
    System.setProperty("hazelcast.logging.type", System.getProperty("hazelcast.logging.type", "slf4j"));
    // Netty's buffer allocator registers Flight Recorder events with its first buffer, which sets up the JDK's
    // JFR metadata: ~50 ms of a client's start-up for events kirim does not use. -Dio.netty.jfr.enabled=true
    // brings them back.
    System.setProperty("io.netty.jfr.enabled", System.getProperty("io.netty.jfr.enabled", "false"));
    ClusterProperties.apply(liteClusterMember());
    if (args.stream().noneMatch(HELP::contains)) {
      try {
        LogFormat.checkEnvironment();
        if (clusterRequested()) {
          ClusterProperties.check(System.getProperties(), ClusterProperties.class.getClassLoader());
        }
        String conf = ConfigReader.findConfArgument(args.toArray(String[]::new));
        checkConfiguration(conf);
        clusterTls = clusterTls(loadConfiguration(conf));
      } catch (ConfigException e) {
        exit(EXIT_CONFIG, explain(e.getMessage()));
      }
    }
    return launch();
  }

  /**
   * @return the configuration's {@code cluster.tls}, its files checked, when the event bus is clustered;
   *   {@code null} when it is not set, or not clustered (then a warning says the key has no effect)
   * @throws ConfigException naming the bad key or file
   */
  private TlsConfig.Member clusterTls(JsonObject config) {
    TlsConfig.Member tls = ClusterTls.parse(config);
    if (tls != null && !clusterRequested()) {
      log.warn("config key '{}' has no effect without -cluster: {}'s event bus carries messages only within its "
        + "own process", ClusterTls.KEY, program);
      return null;
    }
    return tls;
  }

  /**
   * @return whether {@code -cluster} joins as a Hazelcast lite member unless {@code kirim.cluster.lite} says
   *   otherwise: a node that keeps no cluster data (a client) should, so that its coming and going moves none
   */
  protected boolean liteClusterMember() {
    return false;
  }

  /**
   * Loads and validates the configuration the way the verticle will, so that a mistake ends the program
   * before anything starts.
   *
   * @param conf the value of {@code -conf} (a path or inline JSON), {@code null} when absent
   * @throws ConfigException naming the bad key, or saying what is missing
   */
  protected abstract void checkConfiguration(String conf);

  /**
   * @param conf the value of {@code -conf}, {@code null} when absent
   * @return the configuration with the command line's flags applied, {@code null} when there is neither
   * @throws ConfigException when the file is missing or not JSON
   */
  protected JsonObject loadConfiguration(String conf) {
    if (conf == null && overrides().isEmpty()) {
      return null;
    }
    return withOverrides(conf == null ? new JsonObject() : ConfigReader.load(conf));
  }

  /** @return {@code config} (may be {@code null}) with the flags' keys set over the file's */
  protected JsonObject withOverrides(JsonObject config) {
    JsonObject merged = config == null ? new JsonObject() : config;
    return overrides().isEmpty() ? config : merged.mergeIn(overrides(), true);
  }

  private JsonObject overrides() {
    return commandLine == null ? new JsonObject() : commandLine.overrides();
  }

  private String explain(String message) {
    return commandLine == null ? message : commandLine.explain(message);
  }

  @Override
  public JsonObject afterConfigParsed(JsonObject config) {
    return withOverrides(config);
  }

  /** Turns on the event bus's TLS ({@code cluster.tls}) in the options Vert.x is about to start with. */
  @Override
  public void beforeStartingVertx(HookContext context) {
    if (clusterTls == null) {
      return;
    }
    try {
      ClusterTls.apply(clusterTls, context.vertxOptions().getEventBusOptions());
    } catch (ConfigException e) {
      exit(EXIT_CONFIG, e.getMessage());
    }
    log.info("Event bus TLS on ({}): certificate {}, peers must hold a certificate issued by {}",
      String.join(", ", TlsConfig.PROTOCOLS), clusterTls.cert(), clusterTls.ca());
  }

  /**
   * @return the exit code for a deployment failure the user can fix (its message is printed as the one
   *   line), or 0 to leave it to the launcher
   */
  protected int exitCodeFor(Throwable failure) {
    return failure instanceof ConfigException ? EXIT_CONFIG : 0;
  }

  @Override
  public void afterFailureToDeployVerticle(HookContext context, Throwable failure) {
    int code = exitCodeFor(failure);
    if (code != 0) {
      exit(code, explain(failure.getMessage()));
    }
    context.vertx().close();
  }

  /** Prints {@code program: error: message} on stderr and ends the JVM with {@code code}. */
  protected void exit(int code, String message) {
    System.err.println(program + ": error: " + message);
    System.exit(code);
  }
}
