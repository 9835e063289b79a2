package dev.kirim.it;

import dev.kirim.testkit.TestFiles;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Starts the packaged kirim jars as real processes ({@code java -jar}, the JVM running the tests) and keeps
 * track of them. Registered as a JUnit extension ({@code @RegisterExtension}), it stops every one still
 * running after each test.
 */
public final class KirimProcesses implements AutoCloseable, AfterEachCallback {

  /** A JVM with Vert.x takes 1–2 s to start on a loaded 2-core box; be generous. */
  public static final Duration START_TIMEOUT = Duration.ofSeconds(60);
  /** A client pushing a few small files. */
  public static final Duration RUN_TIMEOUT = Duration.ofSeconds(60);

  private final List<KirimProcess> started = new ArrayList<>();
  private int count;
  // Where the processes' Vert.x keeps its file cache (the server's status page comes from its jar): a process
  // killed on purpose would leave its cache directory in /tmp; here it goes when this object closes.
  private Path vertxCache;

  /** @return a launch of the server jar in {@code workDir} */
  public Launch server(Path workDir) {
    return new Launch("server", Jars.server(), workDir);
  }

  /** @return a launch of the client jar in {@code workDir} */
  public Launch client(Path workDir) {
    return new Launch("client", Jars.client(), workDir);
  }

  /**
   * @return a launch of {@code bin/kirim-client} in {@code workDir}, for the jar the tests run, with its
   *   class-data archives kept in {@code cacheDir}
   */
  public Launch clientScript(Path workDir, Path cacheDir) {
    return new Launch("client-script", Jars.client(), workDir).script(Jars.clientScript(), cacheDir);
  }

  /**
   * Starts a server on 127.0.0.1:{@code port} storing into {@code storageDir} (relative to {@code workDir})
   * and waits for its "listening on" line.
   */
  public KirimProcess startServer(Path workDir, int port, JsonObject extraConfig, String... jvmOptions) {
    JsonObject conf = serverConfig(port).mergeIn(extraConfig == null ? new JsonObject() : extraConfig);
    KirimProcess server = server(workDir).jvm(jvmOptions).conf(conf).start();
    awaitListening(server, port);
    return server;
  }

  /** @return the minimal server configuration for a test: loopback only, relative storage "received" */
  public static JsonObject serverConfig(int port) {
    return new JsonObject().put("host", "127.0.0.1").put("port", port).put("storageDir", "received");
  }

  /** @return the server's "listening on" line, once printed */
  public static String awaitListening(KirimProcess server, int port) {
    return server.awaitLine("listening on 127.0.0.1:" + port, START_TIMEOUT);
  }

  @Override
  public void afterEach(ExtensionContext context) {
    close();
  }

  /** Stops every process started through this object that is still running. */
  @Override
  public void close() {
    for (KirimProcess process : started) {
      process.close();
    }
    started.clear();
    if (vertxCache != null) {
      TestFiles.deleteTree(vertxCache);
      vertxCache = null;
    }
  }

  private String vertxCacheOption() {
    try {
      if (vertxCache == null) {
        vertxCache = Files.createTempDirectory("kirim-it-vertx-");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return "-Dvertx.cacheDirBase=" + vertxCache.resolve("cache");
  }

  /** One command line: {@code java [jvm options] -jar JAR [-conf CONF] [launcher args]}. */
  public final class Launch {

    private final String kind;
    private final Path jar;
    private final Path workDir;
    private final List<String> jvm = new ArrayList<>();
    private final List<String> args = new ArrayList<>();
    private final Map<String, String> env = new HashMap<>();
    private Path script;
    private Path cacheDir;
    private String stdin = "";

    private Launch(String kind, Path jar, Path workDir) {
      this.kind = kind;
      this.jar = jar;
      this.workDir = workDir;
    }

    public Launch jvm(String... options) {
      jvm.addAll(List.of(options));
      return this;
    }

    /** {@code -conf} with inline JSON. */
    public Launch conf(JsonObject json) {
      return args("-conf", json.encode());
    }

    /** {@code -conf} with a file path, given as is (relative ones resolve against the working directory). */
    public Launch conf(String pathOrJson) {
      return args("-conf", pathOrJson);
    }

    /** Sets an environment variable of the process. */
    public Launch env(String name, String value) {
      env.put(name, value);
      return this;
    }

    /** What the process reads on its standard input. */
    public Launch stdin(String text) {
      stdin = text;
      return this;
    }

    public Launch args(String... more) {
      args.addAll(List.of(more));
      return this;
    }

    private Launch script(Path script, Path cacheDir) {
      this.script = script;
      this.cacheDir = cacheDir;
      return this;
    }

    public KirimProcess start() {
      if (!Files.isDirectory(workDir)) {
        throw new IllegalStateException("working directory " + workDir + " does not exist");
      }
      List<String> command = new ArrayList<>();
      Map<String, String> environment = new HashMap<>(env);
      // First, so that a test's own -Dvertx.cacheDirBase wins.
      List<String> jvm = new ArrayList<>(List.of(vertxCacheOption()));
      jvm.addAll(this.jvm);
      if (script != null) {
        command.add(script.toString());
        environment.put("KIRIM_CLIENT_JAR", jar.toString());
        environment.putIfAbsent("JAVA", Jars.java());
        environment.put("XDG_CACHE_HOME", cacheDir.toString());
        environment.put("KIRIM_JAVA_OPTS", String.join(" ", jvm));
      } else {
        command.add(Jars.java());
        command.addAll(jvm);
        command.add("-jar");
        command.add(jar.toString());
      }
      command.addAll(args);
      KirimProcess process = KirimProcess.start(kind + "-" + (++count), workDir, command, environment, stdin);
      started.add(process);
      return process;
    }

    /** Starts and waits for the end: for client runs and start-up failures. */
    public KirimProcess run(Duration timeout) {
      KirimProcess process = start();
      process.awaitExit(timeout);
      return process;
    }

    public KirimProcess run() {
      return run(RUN_TIMEOUT);
    }
  }
}
