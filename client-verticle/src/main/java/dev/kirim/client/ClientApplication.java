package dev.kirim.client;

import dev.kirim.config.ConfigException;
import dev.kirim.config.ConfigReader;
import dev.kirim.http.HttpEndpoints;
import dev.kirim.launch.KirimApplication;
import io.vertx.core.Deployable;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.function.Supplier;

/**
 * The client jar's main class: the Vert.x launcher (all its options work) that waits for the push to end,
 * prints the summary, writes the JSON report when asked, and exits with the push's code: 0 all delivered, 1 a
 * file failed somewhere, 2 bad usage or configuration, 130 / 143 interrupted by SIGINT (Ctrl-C) / SIGTERM
 * (the summary and the report still say what was done, see {@link Interruption}). With {@code "service": true}
 * it keeps running, taking push jobs on {@code kirim.push}.
 */
public class ClientApplication extends KirimApplication {

  /** Bad usage or configuration: the message names the key. */
  public static final int EXIT_CONFIG = KirimApplication.EXIT_CONFIG;

  private final List<ClientVerticle> verticles = new CopyOnWriteArrayList<>();
  private Path confDir;
  private ClientConfig config;
  private Interruption interruption;

  private final ClientCommandLine.Output output;

  private ClientApplication(ClientCommandLine commandLine) {
    super("kirim-client", commandLine);
    this.output = commandLine.output();
  }

  public static void main(String[] args) {
    ClientCommandLine commandLine = new ClientCommandLine();
    int exit = commandLine.parse(args, System.out, System.err);
    if (exit != ClientCommandLine.CONTINUE) {
      System.exit(exit);
    }
    ClientApplication application = new ClientApplication(commandLine);
    application.start();
    // A service runs until stopped (Ctrl-C, SIGTERM); a one-shot push ends the process with its exit code.
    if (application.config != null && !application.config.isService()) {
      int code;
      try {
        code = application.awaitExitCode();
      } catch (RuntimeException e) {
        // The signal handlers keep the JVM from ending by itself: whatever happens here, it must exit.
        System.err.println("kirim-client: error: " + e);
        code = PushReport.EXIT_FAILED;
      }
      System.exit(code);
    }
  }

  /** A client owns no cluster data: as a lite member its join and exit trigger no partition migration. */
  @Override
  protected boolean liteClusterMember() {
    return true;
  }

  /** A service with an HTTP port has Vert.x keep metrics (its meters join the service's on {@code /metrics}). */
  @Override
  public VertxBuilder createVertxBuilder(VertxOptions options) {
    // A push reads only the files it names, never its own jar. Without class-path resolving Vert.x also makes no
    // file-cache directory (/tmp/vertx-cache-*) per run, which a killed client would leave behind.
    options.getFileSystemOptions().setClassPathResolvingEnabled(false).setFileCachingEnabled(false);
    VertxOptions withMetrics = config != null && config.http() != null ? HttpEndpoints.withMetrics(options) : options;
    return clusterRequested() ? LiteMemberJoin.builder(withMetrics) : super.createVertxBuilder(withMetrics);
  }

  @Override
  protected void checkConfiguration(String conf) {
    JsonObject json = loadConfiguration(conf);
    if (json == null) {
      throw new ConfigException("nothing to push: run with FILE... --to HOST[:PORT], or -conf conf/client.json "
        + "(see --help)");
    }
    confDir = conf != null && ConfigReader.isFile(conf) ? Path.of(conf).toAbsolutePath().getParent() : null;
    config = new ClientConfig(withBaseDir(json, confDir));
    if (!config.isService()) {
      // A service is stopped by a signal as any Vert.x application; a one-shot push reports what it did first.
      interruption = Interruption.install(reason -> verticles.forEach(verticle -> verticle.interrupt(reason)));
    }
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
    JsonObject merged = withOverrides(config);
    return withBaseDir(merged == null ? new JsonObject() : merged, confDir);
  }

  @Override
  public Supplier<? extends Deployable> verticleSupplier() {
    return () -> {
      ClientVerticle verticle = new ClientVerticle();
      // One display for the terminal: with -instances N only the first instance shows its push.
      if (verticles.isEmpty()) {
        verticle.progress(progressLine());
      }
      verticles.add(verticle);
      if (interruption != null && interruption.happened()) {
        verticle.interrupt(interruption.reason());
      }
      return verticle;
    };
  }

  /**
   * @return the live line on a terminal, plain lines with {@code --progress} when stdout is not one, else
   *   {@code null}: nothing extra in a pipe, nothing with {@code --quiet}
   */
  private ProgressLine progressLine() {
    boolean terminal = System.console() != null;
    if (output == ClientCommandLine.Output.QUIET || !terminal && output != ClientCommandLine.Output.PROGRESS) {
      return null;
    }
    return terminal ? ProgressLine.terminal(System.out, System::nanoTime, ProgressLine.terminalWidth())
      : ProgressLine.plain(System.out, System::nanoTime);
  }

  /** Waits for every verticle's push, then prints each summary and writes the report: on this thread, not an event loop. */
  private int awaitExitCode() {
    int exitCode = PushReport.EXIT_OK;
    for (ClientVerticle verticle : verticles) {
      PushReport report;
      try {
        report = verticle.completion().toCompletionStage().toCompletableFuture().get();
      } catch (ExecutionException e) {
        System.err.println("kirim-client: error: " + e.getCause().getMessage());
        return interrupted() ? interruption.exitCode() : PushReport.EXIT_FAILED;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return PushReport.EXIT_FAILED;
      }
      if (output != ClientCommandLine.Output.QUIET || report.exitCode() != PushReport.EXIT_OK) {
        System.out.println(report.summary());
      }
      exitCode = Math.max(exitCode, report.exitCode());
      if (config.report() != null) {
        try {
          ReportWriter.write(config.report(), report, interrupted() ? interruption.exitCode() : report.exitCode());
        } catch (IllegalStateException e) {
          System.err.println("kirim-client: error: " + e.getMessage());
          exitCode = Math.max(exitCode, PushReport.EXIT_FAILED);
        }
      }
    }
    return interrupted() ? interruption.exitCode() : exitCode;
  }

  private boolean interrupted() {
    return interruption != null && interruption.happened();
  }
}
