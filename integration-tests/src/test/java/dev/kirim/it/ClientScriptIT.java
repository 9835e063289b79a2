package dev.kirim.it;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static dev.kirim.it.Outputs.assertExitCode;
import static dev.kirim.it.Outputs.assertNoStackTrace;
import static dev.kirim.it.Outputs.assertVerdict;
import static dev.kirim.testkit.Ports.freePort;
import static dev.kirim.testkit.TestFiles.MIB;
import static dev.kirim.testkit.TestFiles.mkdirs;
import static dev.kirim.testkit.TestFiles.writePseudoRandom;
import static dev.kirim.testkit.TestFiles.writeSmall;
import static dev.kirim.testkit.Trees.sizes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code bin/kirim-client}, the quick start of the client: the first run of a jar makes its class-data
 * archive, the next ones use it, and every run pushes like {@code java -jar} does.
 */
@Timeout(120)
class ClientScriptIT {

  @TempDir
  Path dir;

  @RegisterExtension
  final KirimProcesses kirim = new KirimProcesses();

  @Test
  void theFirstRunMakesTheArchiveTheNextOnesUseIt() throws IOException {
    int port = freePort();
    kirim.startServer(mkdirs(dir.resolve("server")), port, null);
    Path cache = dir.resolve("cache");
    for (int run = 1; run <= 2; run++) {
      writeSmall(dir.resolve("out/run-" + run + ".txt"), 1000 + run, run);
      // -Xshare:on: the JVM refuses to start rather than run without an archive it was given.
      KirimProcess client = kirim.clientScript(dir, cache).jvm("-Xshare:on").conf(new JsonObject()
        .put("targets", new JsonArray().add("127.0.0.1:" + port))
        .put("files", new JsonArray().add("out/run-" + run + ".txt"))).run();

      assertExitCode(0, client);
      assertVerdict(client, "1 file(s) x 1 target(s): 1 sent, 0 skipped, 0 failed");
      assertNoStackTrace(client);
      assertEquals(1, archives(cache).size(), () -> "one archive for the jar after run " + archivesOf(cache));
    }
    assertEquals(Map.of("run-1.txt", 1001L, "run-2.txt", 1002L), sizes(dir.resolve("server/received")));
  }

  /** A JVM that cannot dump an archive (here a wrapper that fails -Xshare:dump): pushes work, and it is asked once. */
  @Test
  void aJvmThatCannotMakeAnArchivePushesWithoutOneAndIsNotAskedAgain() throws IOException {
    int port = freePort();
    kirim.startServer(mkdirs(dir.resolve("server")), port, null);
    Path cache = dir.resolve("cache");
    Path calls = dir.resolve("java-calls.txt");
    Path java = Files.writeString(dir.resolve("java-without-cds"), "#!/bin/sh\n"
      + "echo \"$*\" >> '" + calls + "'\n"
      + "case \" $* \" in *' -Xshare:dump '*) exit 1 ;; esac\n"
      + "exec '" + Jars.java() + "' \"$@\"\n");
    assertTrue(java.toFile().setExecutable(true));
    for (int run = 1; run <= 2; run++) {
      writeSmall(dir.resolve("out/run-" + run + ".txt"), 1000 + run, run);
      KirimProcess client = kirim.clientScript(dir, cache).env("JAVA", java.toString()).conf(new JsonObject()
        .put("targets", new JsonArray().add("127.0.0.1:" + port))
        .put("files", new JsonArray().add("out/run-" + run + ".txt"))).run();

      assertExitCode(0, client);
      assertVerdict(client, "1 file(s) x 1 target(s): 1 sent, 0 skipped, 0 failed");
      assertNoStackTrace(client);
    }
    assertEquals(List.of(), archives(cache));
    assertEquals(1, Files.readAllLines(calls).stream().filter(line -> line.contains("-Xshare:dump")).count(),
      () -> "-Xshare:dump asked for once, in the first run: " + readQuietly(calls));
    assertEquals(Map.of("run-1.txt", 1001L, "run-2.txt", 1002L), sizes(dir.resolve("server/received")));
  }

  /**
   * Ctrl-C on the first push of a jar, which runs java in the background and dumps the archive after it: the JVM
   * hears SIGINT itself (not a SIGTERM in its place), so the push ends as it does under {@code java -jar}: 130,
   * "interrupted by SIGINT". No archive is made from an interrupted push.
   */
  @Test
  void ctrlCOnTheFirstPushReachesTheJvmAsSigint() throws IOException {
    interruptTheFirstPush("INT", 130);
  }

  /** SIGTERM on the first push of a jar: 143, "interrupted by SIGTERM", no archive. */
  @Test
  void sigtermOnTheFirstPushReachesTheJvmAsSigterm() throws IOException {
    interruptTheFirstPush("TERM", 143);
  }

  private void interruptTheFirstPush(String signal, int exitCode) throws IOException {
    Duration wait = Duration.ofSeconds(60);
    int port = freePort();
    Path serverDir = mkdirs(dir.resolve("server"));
    // Slow enough that the signal lands mid-body.
    KirimProcess server = kirim.startServer(serverDir, port, new JsonObject()
      .put("limits", new JsonObject().put("rateLimitPerConnection", "1MiB")));
    writePseudoRandom(dir.resolve("out/big.bin"), 16 * MIB, 7);
    Path cache = dir.resolve("cache");
    Path report = dir.resolve("report.json");
    KirimProcess client = kirim.clientScript(dir, cache).conf(new JsonObject()
      .put("targets", new JsonArray().add("127.0.0.1:" + port))
      .put("files", new JsonArray().add("out/big.bin"))
      .put("report", report.toString())).start();
    server.awaitLine("Connection from 127.0.0.1", wait);
    PartialUploads.awaitWithBytes(serverDir.resolve("received"), "big.bin", client, wait);

    client.signal(signal);

    assertEquals(exitCode, client.awaitExit(wait), client::describe);
    assertNoStackTrace(client);
    assertTrue(client.stdout().contains("INTERRUPTED big.bin") && client.stdout().contains("interrupted by SIG" + signal),
      client::describe);
    String other = signal.equals("INT") ? "SIGTERM" : "SIGINT";
    assertFalse(client.outputLines().stream().anyMatch(line -> line.contains(other)), client::describe);
    assertEquals(exitCode, new JsonObject(Files.readString(report)).getInteger("exitCode"));
    try (Stream<Path> files = Files.list(cache.resolve("kirim"))) {
      assertEquals(List.of(), files.toList(), "no archive, and nothing half-made, after an interrupted push");
    }
  }

  /** A JAVA that is no java launcher: one line on stderr that says what to set, and exit 2, on every path. */
  @Test
  void aMissingJavaIsOneErrorLineAndExit2() throws IOException {
    Path java = dir.resolve("no-such-jdk/bin/java");
    writeSmall(dir.resolve("a.txt"), 10, 1);
    // The first run of a jar (an archive to make), and a run without an archive (exec at once).
    for (String cds : List.of("on", "off")) {
      KirimProcess client = kirim.clientScript(dir, dir.resolve("cache")).env("JAVA", java.toString())
        .env("HOME", dir.toString()).env("KIRIM_CDS", cds).args("--to", "127.0.0.1:1", "a.txt").run();

      assertExitCode(2, client);
      assertEquals(List.of("kirim-client: error: JAVA=" + java + " does not exist — set JAVA or JAVA_HOME to a "
        + "Java 17+ java"), client.stderrLines(), client::describe);
      assertEquals(List.of(), client.stdoutLines(), client::describe);
    }
  }

  private static String readQuietly(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      return e.toString();
    }
  }

  private static List<Path> archives(Path cache) throws IOException {
    try (Stream<Path> files = Files.list(cache.resolve("kirim"))) {
      return files.filter(file -> file.getFileName().toString().endsWith(".jsa")).toList();
    }
  }

  private static String archivesOf(Path cache) {
    try {
      return archives(cache).toString();
    } catch (IOException e) {
      return e.toString();
    }
  }
}
