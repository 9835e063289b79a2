package dev.kirim.client;

import dev.kirim.launch.KirimCommandLine;
import dev.kirim.protocol.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The client jar's command line: {@code [OPTIONS] FILE... --to HOST[:PORT]}, each flag setting the configuration
 * key of the same meaning (see {@link #overrides()}), plus {@code --progress} and {@code --quiet}, which are about
 * this run's terminal, not the configuration.
 */
@Command(name = "kirim-client", sortOptions = false)
public final class ClientCommandLine extends KirimCommandLine {

  /** How much the run prints besides errors. */
  public enum Output {
    /** The live progress line on a terminal, nothing extra in a pipe; the summary. */
    AUTO,
    /** Progress on a terminal, plain progress lines every few seconds in a pipe; the summary. */
    PROGRESS,
    /** No progress; the summary only when something was not delivered. */
    QUIET
  }

  @Parameters(paramLabel = "FILE", arity = "0..*",
    description = "Files, directories and globs to push (key \"files\"); relative to the working directory.")
  private List<String> files = new ArrayList<>();

  @Option(names = "--to", paramLabel = "HOST[:PORT]",
    description = "A server to push to, port 25563 unless given; repeat for more (key \"targets\").")
  private List<String> targets = new ArrayList<>();

  @Option(names = "--remote-dir", paramLabel = "DIR",
    description = "Prefix of every remote name on the servers (key \"remoteDir\").")
  private String remoteDir;

  @Option(names = "--report", paramLabel = "FILE", description = "Write the JSON report there (key \"report\").")
  private String report;

  @Option(names = "--dry-run",
    description = "Ask every server what it would do; send, change and delete nothing (key \"dryRun\").")
  private boolean dryRun;

  @Option(names = "--checksum", paramLabel = "crc32c|sha256", description = "Checksum algorithm (key \"checksum\").")
  private String checksum;

  @Option(names = "--compare", paramLabel = "size-mtime|checksum",
    description = "How a server tells its copy is the same file (key \"compare\").")
  private String compare;

  @Option(names = "--parallel", paramLabel = "N", description = "Targets pushed at once (key \"parallelism.targets\").")
  private Integer parallel;

  @Option(names = "--rate-limit", paramLabel = "SIZE",
    description = "Most bytes per second to each target, e.g. 50MiB (key \"rateLimit\").")
  private String rateLimit;

  @Option(names = "--exclude", paramLabel = "PATTERN",
    description = "Leave out matching files; repeat for more (key \"exclude\").")
  private List<String> exclude = new ArrayList<>();

  @Option(names = "--follow-symlinks", description = "Follow symbolic links (key \"followSymlinks\").")
  private boolean followSymlinks;

  @Option(names = "--delete-after-send",
    description = "Delete each local file once every target holds it (key \"deleteAfterSend\").")
  private boolean deleteAfterSend;

  @Option(names = "--progress",
    description = "Show progress even when stdout is not a terminal: a plain line per target every 2 s.")
  private boolean progress;

  @Option(names = {"-q", "--quiet"},
    description = "No progress, and no summary when every file was delivered (failures are still printed).")
  private boolean quiet;

  public ClientCommandLine() {
    super("kirim-client");
  }

  @Override
  protected void check(CommandLine commandLine) {
    if (progress && quiet) {
      throw usageError(commandLine, "--progress and --quiet exclude each other: choose one");
    }
    if (!hasConf() && !files.isEmpty() && targets.isEmpty()) {
      throw usageError(commandLine, "no target: add --to HOST[:PORT], or -conf with \"targets\"");
    }
    if (!hasConf() && files.isEmpty() && !targets.isEmpty()) {
      throw usageError(commandLine, "nothing to push: name the FILEs, or -conf with \"files\"");
    }
  }

  /** @return how much this run prints besides errors */
  public Output output() {
    return quiet ? Output.QUIET : progress ? Output.PROGRESS : Output.AUTO;
  }

  /**
   * FILE arguments resolve against the working directory (made absolute here, so that a {@code -conf} file's
   * {@code baseDir} does not apply to them) and replace the file's {@code files}; so do {@code --to} and
   * {@code --exclude} for {@code targets} and {@code exclude} (beside FILE arguments,
   * {@link #fromWorkingDirectory}). {@code --parallel} sets {@code parallelism.targets} and leaves
   * {@code perTarget} as configured.
   */
  @Override
  public JsonObject overrides() {
    JsonObject json = new JsonObject();
    if (!files.isEmpty()) {
      json.put("files", new JsonArray(files.stream().map(ClientCommandLine::absolute).toList()));
    }
    if (!targets.isEmpty()) {
      json.put("targets", new JsonArray(targets));
    }
    if (!exclude.isEmpty()) {
      // Beside FILE arguments, relative to the working directory as they are; else to baseDir, as the files are.
      json.put("exclude", new JsonArray(files.isEmpty() ? exclude
        : exclude.stream().map(ClientCommandLine::fromWorkingDirectory).toList()));
    }
    putIfSet(json, "remoteDir", remoteDir);
    putIfSet(json, "report", report);
    putIfSet(json, "checksum", checksum);
    putIfSet(json, "compare", compare);
    putIfSet(json, "rateLimit", rateLimit);
    putIfSet(json, "parallelism", parallel == null ? null : new JsonObject().put("targets", parallel));
    putIfSet(json, "dryRun", dryRun ? Boolean.TRUE : null);
    putIfSet(json, "followSymlinks", followSymlinks ? Boolean.TRUE : null);
    putIfSet(json, "deleteAfterSend", deleteAfterSend ? Boolean.TRUE : null);
    return json;
  }

  /**
   * Beside FILE arguments, a pattern with {@code /} on the command line is relative to the working directory, as
   * they are: made absolute here, the directory's glob characters escaped. The key's patterns are relative to
   * {@code baseDir}, which a {@code -conf} file sets to its own directory: {@code --exclude 'logs/old/**' logs}
   * then excluded nothing, silently. A pattern without {@code /} (a name anywhere), an absolute one, and one that
   * starts with {@code **}{@code /} (anywhere already) stay as they are. Without FILE arguments the files come
   * from the configuration, relative to {@code baseDir}, and so do the patterns.
   */
  static String fromWorkingDirectory(String pattern) {
    return relativeTo(Path.of("").toAbsolutePath(), pattern);
  }

  /** @see #fromWorkingDirectory */
  static String relativeTo(Path absoluteDirectory, String pattern) {
    String glob = pattern.replace('\\', '/');
    if (!glob.contains("/") || glob.startsWith("/") || glob.startsWith("**/")) {
      return pattern;
    }
    String directory = absoluteDirectory.toString();
    StringBuilder literal = new StringBuilder();
    for (char c : directory.toCharArray()) {
      if ("*?[{".indexOf(c) >= 0) {
        literal.append('[').append(c).append(']');
      } else {
        literal.append(c);
      }
    }
    return literal.append(directory.endsWith("/") ? "" : "/").append(glob).toString();
  }

  private static String absolute(String file) {
    try {
      return Path.of("").toAbsolutePath().resolve(file).normalize().toString();
    } catch (InvalidPathException e) {
      // Not a path the file system takes: the selection reports it as it was given.
      return file;
    }
  }

  @Override
  protected Map<String, String> flagsByKey() {
    Map<String, String> flags = new LinkedHashMap<>();
    flags.put("files", "FILE");
    flags.put("targets", "--to");
    flags.put("exclude", "--exclude");
    flags.put("remoteDir", "--remote-dir");
    flags.put("report", "--report");
    flags.put("checksum", "--checksum");
    flags.put("compare", "--compare");
    flags.put("rateLimit", "--rate-limit");
    flags.put("parallelism", "--parallel");
    return flags;
  }

  @Override
  protected Collection<String> configKeys() {
    return ClientConfig.KEYS;
  }

  @Override
  protected int protocolVersion() {
    return Message.VERSION;
  }

  @Override
  protected String synopsis() {
    return """
      Usage: java -jar kirim-client.jar [OPTIONS] FILE... --to HOST[:PORT] [--to HOST[:PORT]]...
             java -jar kirim-client.jar -conf client.json [OPTIONS] [FILE...]
      """;
  }

  @Override
  protected String description() {
    return """
      Pushes files to kirim servers: every FILE (a file, a directory with everything under it, or a
      glob) goes to every target. A file a server already has is skipped; an interrupted upload resumes.
      On a terminal a live line shows files, bytes, rate, ETA and the current file per target.
      """;
  }

  @Override
  protected String footer() {
    return """
      Exit codes:
        0   every file is on every target (sent, or already there)
        1   a file failed, or a server keeps a copy that differs, on at least one target; or, with
            deleteAfterSend, a delivered file could not be deleted; or the report could not be written
        2   bad usage or configuration (one line names the problem)
        130 interrupted by Ctrl-C (143: SIGTERM); the summary and the report say what was done
        11  Vert.x failed to start (e.g. the cluster); 15 other deployment failure

      Environment:
        KIRIM_TOKEN  the token for a server that authenticates its clients, when neither the "token"
                     nor the "tokenFile" key is set

      Examples:
        java -jar kirim-client.jar --to 10.0.0.5 --remote-dir inbox/$(hostname) report.csv logs/
        java -jar kirim-client.jar -conf conf/client.json --dry-run --report report.json
      """;
  }
}
