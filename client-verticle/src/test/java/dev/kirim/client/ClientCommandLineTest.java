package dev.kirim.client;

import dev.kirim.launch.KirimCommandLine;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The client's flags: what they set, what they hand on to the launcher, and how a mistake reads. */
class ClientCommandLineTest {

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private final ClientCommandLine commandLine = new ClientCommandLine();

  private int parse(String... args) {
    return commandLine.parse(args, new PrintStream(out, true, StandardCharsets.UTF_8),
      new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  private String err() {
    return err.toString(StandardCharsets.UTF_8);
  }

  @Test
  void flagsSetTheirConfigurationKeys() {
    assertEquals(KirimCommandLine.CONTINUE, parse("a.txt", "logs", "--to", "h1", "--to=h2:25570", "--remote-dir", "in",
      "--report", "r.json", "--dry-run", "--checksum", "sha256", "--compare", "checksum", "--parallel", "3",
      "--rate-limit", "50MiB", "--exclude", "*.tmp"));
    Path cwd = Path.of("").toAbsolutePath();
    assertEquals(new JsonObject()
      .put("files", new JsonArray().add(cwd.resolve("a.txt").toString()).add(cwd.resolve("logs").toString()))
      .put("targets", new JsonArray().add("h1").add("h2:25570"))
      .put("exclude", new JsonArray().add("*.tmp"))
      .put("remoteDir", "in")
      .put("report", "r.json")
      .put("checksum", "sha256")
      .put("compare", "checksum")
      .put("rateLimit", "50MiB")
      .put("parallelism", new JsonObject().put("targets", 3))
      .put("dryRun", true), commandLine.overrides());
    assertEquals(List.of(), commandLine.launcherArgs());
    assertEquals(ClientCommandLine.Output.AUTO, commandLine.output());
  }

  /**
   * An --exclude pattern with '/' is relative to the working directory, like FILE: the key's patterns are relative
   * to baseDir, the -conf file's directory, so '-conf ../conf/c.json --exclude logs/old/** logs' excluded nothing
   * and pushed what the user meant to keep back.
   */
  @Test
  void excludePatternsWithASlashAreRelativeToTheWorkingDirectory() {
    assertEquals(KirimCommandLine.CONTINUE, parse("-conf", "../conf/c.json", "--exclude", "logs/old/**", "--exclude",
      "*.tmp", "--exclude", "/var/log/**", "--exclude", "**/cache/**", "logs"));
    String cwd = Path.of("").toAbsolutePath().toString();
    assertEquals(new JsonArray().add(cwd + "/logs/old/**").add("*.tmp").add("/var/log/**").add("**/cache/**"),
      commandLine.overrides().getJsonArray("exclude"));
  }

  /** Without FILE arguments the files are the configuration's, relative to its baseDir: so are the patterns. */
  @Test
  void excludePatternsWithoutFileArgumentsStayRelativeToBaseDir() {
    assertEquals(KirimCommandLine.CONTINUE, parse("-conf", "/etc/kirim/c.json", "--exclude", "secret/**"));
    assertEquals(new JsonArray().add("secret/**"), commandLine.overrides().getJsonArray("exclude"));
  }

  /** As Exclusions matches it, globstar included ('**' + '/' also matches no directory). */
  @Test
  void theDirectorysGlobCharactersAreTakenLiterally(@TempDir Path dir) throws Exception {
    Path odd = Files.createDirectories(dir.resolve("a*b[1]{x,y}?"));
    PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:"
      + FileSelector.globstar(ClientCommandLine.relativeTo(odd, "logs/**/*.log")));
    assertTrue(matcher.matches(odd.resolve("logs/old/a.log")));
    assertTrue(matcher.matches(odd.resolve("logs/a.log")), "globstar kept beside an escaped brace");
    assertFalse(matcher.matches(dir.resolve("aXb1x/logs/old/a.log")));
    assertFalse(matcher.matches(dir.resolve("ab1y!/logs/old/a.log")));
  }

  @Test
  void launcherOptionsAreHandedOnAsGivenAndTheirValuesAreNoFiles() {
    assertEquals(KirimCommandLine.CONTINUE, parse("-conf", "conf/client.json", "-instances", "2", "-cluster",
      "-options", "{\"eventLoopPoolSize\":2}", "--quiet", "extra.txt"));
    assertEquals(List.of("-conf", "conf/client.json", "-instances", "2", "-c", "-options", "{\"eventLoopPoolSize\":2}"),
      commandLine.launcherArgs());
    assertEquals(1, commandLine.overrides().getJsonArray("files").size());
    assertEquals(ClientCommandLine.Output.QUIET, commandLine.output());
  }

  @Test
  void launcherOptionsAreCaseInsensitiveAsTheLaunchersAre() {
    assertEquals(KirimCommandLine.CONTINUE, parse("-CONF", "c.json"));
    assertEquals(List.of("-conf", "c.json"), commandLine.launcherArgs());
  }

  @Test
  void anUnknownFlagIsOneLineAndExitCodeTwo() {
    assertEquals(2, parse("--bogus", "a.txt", "--to", "h"));
    assertEquals("kirim-client: error: Unknown option: '--bogus' (see --help)", err().strip());
    assertEquals("", out.toString(StandardCharsets.UTF_8));
  }

  @Test
  void filesWithoutTargetSayWhatIsMissing() {
    assertEquals(2, parse("a.txt"));
    assertTrue(err().contains("no target: add --to HOST[:PORT]"), err());
  }

  @Test
  void progressAndQuietExcludeEachOther() {
    assertEquals(2, parse("a.txt", "--to", "h", "--progress", "--quiet"));
    assertTrue(err().contains("--progress and --quiet"), err());
  }

  @Test
  void aConfigurationErrorNamesTheFlagThatSetTheKey() {
    parse("a.txt", "--to", "h:99999");
    assertEquals("config key 'targets[0]' is bad (set by --to)",
      commandLine.explain("config key 'targets[0]' is bad"));
    assertEquals("config key 'window' is bad", commandLine.explain("config key 'window' is bad"));
  }

  @Test
  void helpIsKirimsUsageThenTheLaunchersOptionsWithoutColours() {
    assertEquals(0, parse("--help"));
    String help = out.toString(StandardCharsets.UTF_8);
    assertTrue(help.startsWith("Usage: java -jar kirim-client.jar [OPTIONS] FILE... --to HOST[:PORT]"), help);
    for (String part : List.of("--to=HOST[:PORT]", "--dry-run", "--progress", "Exit codes:", "README.md",
      "Examples:", "Vert.x launcher options", "-instances", "-cluster", "-options")) {
      assertTrue(help.contains(part), () -> "help mentions " + part + "\n" + help);
    }
    assertTrue(help.indexOf("Examples:") < help.indexOf("Vert.x launcher options"), help);
    assertEquals(1, help.split("Usage:", -1).length - 1, "usage printed once");
    assertFalse(help.contains("\u001b"), "no ANSI codes");
    assertEquals("", err());
  }

  @Test
  void versionNamesTheProtocolVersion() {
    assertEquals(0, parse("--version"));
    assertTrue(out.toString(StandardCharsets.UTF_8).startsWith("kirim-client dev (protocol version " + dev.kirim.protocol.Message.VERSION + ")"),
      out.toString(StandardCharsets.UTF_8));
  }
}
