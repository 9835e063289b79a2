package dev.kirim.server;

import dev.kirim.launch.KirimCommandLine;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The server's flags: the keys they set over the configuration, and what goes on to the launcher. */
class ServerCommandLineTest {

  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private final ServerCommandLine commandLine = new ServerCommandLine();

  private int parse(String... args) {
    return commandLine.parse(args, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
      new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  @Test
  void flagsSetStorageDirPortAndHostAndTheLauncherGetsItsOptions() {
    assertEquals(KirimCommandLine.CONTINUE, parse("--dir", "/srv/inbox", "--port", "0", "--host", "127.0.0.1",
      "-conf", "conf/server.json", "-instances", "4"));
    assertEquals(new JsonObject().put("storageDir", "/srv/inbox").put("port", 0).put("host", "127.0.0.1"),
      commandLine.overrides());
    assertEquals(List.of("-conf", "conf/server.json", "-instances", "4"), commandLine.launcherArgs());
  }

  @Test
  void flagsOverTheFileMakeValidOptions() {
    parse("--port", "25999");
    ServerOptions options = new ServerOptions(new JsonObject().put("port", 25563).put("onExisting", "update")
      .mergeIn(commandLine.overrides(), true));
    assertEquals(25999, options.getPort());
  }

  /** The launcher itself would end with exit code 1 and no word for these, or run without the options. */
  @Test
  void launcherOptionsTheLauncherCannotUseAreUsageErrors() {
    for (String[] args : List.of(new String[] {"-instances", "0"}, new String[] {"-instances", "-3"},
      new String[] {"-options", "{\"eventLoopPoolSize\":-1}"}, new String[] {"-options", "{bad"},
      new String[] {"-options", "/nonexistent/vertx-options.json"},
      new String[] {"-deployment-options", "{oops"},
      new String[] {"-cluster", "-cluster-host", "no-such-host.invalid"}, new String[] {"-cluster-port", "70000"})) {
      err.reset();
      assertEquals(2, parse(args), String.join(" ", args));
      String line = err.toString(StandardCharsets.UTF_8);
      if (args.length > 1 && args[1].equals("-cluster-host")) {
        assertTrue(line.contains("-cluster-host no-such-host.invalid cannot be resolved: give an address of this host"),
          line);
      }
      assertTrue(line.startsWith("kirim-server: error: ") && line.endsWith("(see --help)" + System.lineSeparator())
        && line.lines().count() == 1, String.join(" ", args) + ": " + line);
    }
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("65535"), err::toString);
    assertEquals(KirimCommandLine.CONTINUE, parse("-instances", "2", "-options", "{\"eventLoopPoolSize\":2}",
      "-cluster", "-cluster-host", "127.0.0.1"));
    // Any loopback address binds (Debian names the host 127.0.1.1), and without -cluster the host is not used.
    assertEquals(KirimCommandLine.CONTINUE, parse("-cluster", "-cluster-host", "127.0.1.1"));
    assertEquals(KirimCommandLine.CONTINUE, parse("-cluster-host", "no-such-host.invalid"));
  }

  /** The launcher offers -vt on every Java; below 21 it failed at deployment with a stack trace and exit 15. */
  @Test
  void virtualThreadsBelowJava21AreAUsageError() {
    if (Runtime.version().feature() >= 21) {
      assertEquals(KirimCommandLine.CONTINUE, parse("-vt"));
      return;
    }
    assertEquals(2, parse("-vt"));
    assertEquals("kirim-server: error: -vt needs Java 21 or newer, this is Java " + Runtime.version().feature()
      + ": leave it out (see --help)", err.toString(StandardCharsets.UTF_8).strip());
  }

  /** The launcher's parser takes a file with a byte order mark (as Windows editors write it): so does the check. */
  @Test
  void anOptionsFileWithAByteOrderMarkIsTaken(@TempDir Path dir) throws Exception {
    Path options = Files.writeString(dir.resolve("vertx.json"), "\uFEFF{\"eventLoopPoolSize\": 2}");
    assertEquals(KirimCommandLine.CONTINUE, parse("-options", options.toString()), err::toString);
  }

  @Test
  void aStrayArgumentIsAUsageError() {
    assertEquals(2, parse("inbox"));
    assertTrue(err.toString(StandardCharsets.UTF_8).startsWith("kirim-server: error: "), err::toString);
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("'inbox'"), err::toString);
  }
}
