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
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static dev.kirim.it.Outputs.assertExitCode;
import static dev.kirim.it.Outputs.assertNoStackTrace;
import static dev.kirim.it.Outputs.assertVerdict;
import static dev.kirim.testkit.Ports.freePort;
import static dev.kirim.testkit.TestFiles.mkdirs;
import static dev.kirim.testkit.TestFiles.writeSmall;
import static dev.kirim.testkit.Trees.sizes;
import static org.junit.jupiter.api.Assertions.assertEquals;
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
