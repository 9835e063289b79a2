package dev.kirim.launch;

import dev.kirim.protocol.Printable;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A kirim jar's command line, parsed before the Vert.x launcher sees it: the jar's own flags, each setting one
 * configuration key (a flag overrides the key of the {@code -conf} file), {@code -h/--help}, {@code --version},
 * and the launcher's options ({@code -conf}, {@code -instances}, {@code -cluster}, {@code -options}, …), which are
 * recognised only so that their values are not taken for kirim arguments and are handed on to the launcher as
 * they were given.
 * <p>
 * Help and the version go to stdout, exit code 0; a mistake is one line on stderr and exit code
 * {@value #EXIT_USAGE}, never a stack trace. Nothing is coloured: the text is the same on a terminal and in a
 * pipe. Options are case-insensitive, as the launcher's are.
 */
public abstract class KirimCommandLine {

  /** Bad usage: one line names the problem. */
  public static final int EXIT_USAGE = 2;
  /** What {@link #parse} returns when the program should go on. */
  public static final int CONTINUE = -1;

  private static final Pattern CONFIG_KEY = Pattern.compile("config key '([^'.\\[]+)");

  @Option(names = {"-h", "-help", "--help"}, usageHelp = true, description = "Show this help and exit.")
  boolean help;

  @Option(names = "--version", versionHelp = true,
    description = "Print the version (and the protocol version) and exit.")
  boolean version;

  @ArgGroup(validate = false, heading = "%nVert.x launcher options (handed on to the launcher unchanged):%n", order = 100)
  LauncherOptions launcherOptions;

  private final String program;
  private List<String> launcherArgs = List.of();
  private boolean hasConf;

  /** @param program the jar's name in messages, e.g. {@code kirim-client} */
  protected KirimCommandLine(String program) {
    this.program = program;
  }

  /**
   * Parses {@code args}; prints the help or the version, or the one line of a mistake.
   *
   * @return {@link #CONTINUE} when the program should run, else the exit code to end with
   */
  public final int parse(String[] args, PrintStream out, PrintStream err) {
    CommandLine commandLine = new CommandLine(this)
      .setOptionsCaseInsensitive(true)
      // A FILE may start with '@': it is a file name, not a file of arguments.
      .setExpandAtFiles(false);
    try {
      ParseResult result = commandLine.parseArgs(args);
      if (commandLine.isUsageHelpRequested()) {
        out.print(usage(commandLine));
        out.flush();
        return 0;
      }
      if (commandLine.isVersionHelpRequested()) {
        out.println(BuildInfo.describe(program, protocolVersion()));
        out.flush();
        return 0;
      }
      launcherArgs = launcherArguments(result);
      hasConf = launcherOptions != null && launcherOptions.conf != null;
      if (launcherOptions != null) {
        checkLauncherOptions(commandLine, launcherOptions);
      }
      check(commandLine);
      return CONTINUE;
    } catch (ParameterException e) {
      err.println(program + ": error: " + describe(e) + " (see --help)");
      err.flush();
      return EXIT_USAGE;
    }
  }

  /**
   * What the launcher would take badly: it ends with exit code 1 and no word for a count of instances below 1 or
   * Vert.x options it cannot apply, and only warns, then runs without them, for options that are not JSON.
   */
  private static void checkLauncherOptions(CommandLine commandLine, LauncherOptions options) {
    if (Boolean.TRUE.equals(options.virtualThread) && Runtime.version().feature() < 21) {
      // The launcher offers it on every Java and fails at deployment with a stack trace and exit 15.
      throw new ParameterException(commandLine, "-vt needs Java 21 or newer, this is Java "
        + Runtime.version().feature() + ": leave it out");
    }
    if (options.instances != null && options.instances < 1) {
      throw new ParameterException(commandLine, "-instances must be at least 1, got " + options.instances);
    }
    if (options.clusterHost != null && Boolean.TRUE.equals(options.cluster)) {
      checkLocalAddress(commandLine, options.clusterHost);
    }
    for (Integer port : new Integer[] {options.clusterPort, options.clusterPublicPort}) {
      if (port != null && (port < 0 || port > 65535)) {
        throw new ParameterException(commandLine, "a cluster port must be from 0 to 65535, got " + port);
      }
    }
    if (options.vertxOptions != null) {
      JsonObject json = launcherJson(commandLine, "-options", options.vertxOptions);
      applies(commandLine, "-options", () -> new VertxOptions(json));
    }
    if (options.deploymentOptions != null) {
      JsonObject json = launcherJson(commandLine, "-deployment-options", options.deploymentOptions);
      applies(commandLine, "-deployment-options", () -> new DeploymentOptions(json));
    }
  }

  /** The event bus binds to -cluster-host: another host's address ended the start in a stack trace, exit 11. */
  private static void checkLocalAddress(CommandLine commandLine, String host) {
    String problem;
    try {
      InetAddress address = InetAddress.getByName(host);
      // Any loopback address binds on Linux (127.0.1.1 is Debian's for the host's own name), listed or not.
      problem = address.isAnyLocalAddress() || address.isLoopbackAddress()
        || NetworkInterface.getByInetAddress(address) != null ? null : "is not an address of this host";
    } catch (UnknownHostException e) {
      problem = "cannot be resolved";
    } catch (IOException e) {
      problem = "cannot be looked at (" + e.getMessage() + ")";
    }
    if (problem != null) {
      throw new ParameterException(commandLine, "-cluster-host " + Printable.escape(host) + " " + problem
        + ": give an address of this host for the event bus to listen on (see -cluster-public-host for NAT)");
    }
  }

  /** As the launcher reads it: inline JSON when it starts with '{', else the name of a file holding it. */
  private static JsonObject launcherJson(CommandLine commandLine, String option, String value) {
    // As bytes, as the launcher reads the file: its parser skips a byte order mark there.
    Buffer json = Buffer.buffer(value);
    if (!value.strip().startsWith("{")) {
      try {
        json = Buffer.buffer(Files.readAllBytes(Path.of(value)));
      } catch (IOException | InvalidPathException e) {
        throw new ParameterException(commandLine, option + " " + Printable.escape(value)
          + " is neither inline JSON nor a file that can be read (" + e.getClass().getSimpleName() + ")");
      }
    }
    try {
      return new JsonObject(json);
    } catch (DecodeException e) {
      throw new ParameterException(commandLine, option + " is not a JSON object: " + Printable.escape(
        String.valueOf(e.getMessage()).lines().findFirst().orElse("")));
    }
  }

  private static void applies(CommandLine commandLine, String option, Runnable construct) {
    try {
      construct.run();
    } catch (RuntimeException e) {
      throw new ParameterException(commandLine, option + " cannot be applied: " + Printable.escape(
        String.valueOf(e.getMessage())));
    }
  }

  /** The launcher's options as given (canonical names), in order: what the launcher is run with. */
  private static List<String> launcherArguments(ParseResult result) {
    List<String> args = new ArrayList<>();
    for (OptionSpec option : result.matchedOptions()) {
      if (option.group() == null) {
        continue;
      }
      String name = option.names()[0];
      if (option.arity().max() == 0) {
        args.add(name);
      } else {
        for (String value : option.originalStringValues()) {
          args.add(name);
          args.add(value);
        }
      }
    }
    return List.copyOf(args);
  }

  private static String describe(ParameterException e) {
    String message = String.valueOf(e.getMessage()).lines().findFirst().orElse("bad usage");
    if (e instanceof UnmatchedArgumentException unmatched && !unmatched.getSuggestions().isEmpty()) {
      message += " (did you mean " + String.join(" or ", unmatched.getSuggestions()) + "?)";
    }
    return message;
  }

  private String usage(CommandLine commandLine) {
    CommandLine.Help help = new CommandLine.Help(commandLine.getCommandSpec(),
      new CommandLine.Help.ColorScheme.Builder(CommandLine.Help.Ansi.OFF).build());
    String nl = System.lineSeparator();
    List<OptionSpec> own = commandLine.getCommandSpec().options().stream().filter(o -> o.group() == null).toList();
    String arguments = help.parameterList();
    return synopsis().strip() + nl + nl
      + description().strip() + nl + nl
      + (arguments.isEmpty() ? "" : "Arguments:" + nl + arguments + nl)
      + "Options:" + nl
      + help.optionListExcludingGroups(own)
      + nl + configuration(nl) + nl + nl
      + footer().strip() + nl
      + help.optionListGroupSections();
  }

  /** The configuration keys, wrapped, with where they are explained. */
  private String configuration(String nl) {
    StringBuilder text = new StringBuilder("Configuration: -conf FILE|JSON takes these keys; a flag sets the key named"
      + nl + "with it, over the file's. What each key does: README.md, \"Configuration reference\"." + nl + " ");
    int column = 1;
    List<String> keys = configKeys().stream().sorted().toList();
    for (int i = 0; i < keys.size(); i++) {
      String key = keys.get(i) + (i < keys.size() - 1 ? "," : "");
      if (column + 1 + key.length() > 78) {
        text.append(nl).append(' ');
        column = 1;
      }
      text.append(' ').append(key);
      column += 1 + key.length();
    }
    return text.toString();
  }

  /**
   * Checks what parsing cannot (flags that exclude each other, what is required without {@code -conf}).
   *
   * @throws ParameterException with the one line to print
   */
  protected void check(CommandLine commandLine) {
  }

  /** @return whether {@code -conf} was given */
  protected final boolean hasConf() {
    return hasConf;
  }

  /** @return the usage lines, {@code Usage: java -jar …} */
  protected abstract String synopsis();

  /** @return what the program does, in a few lines */
  protected abstract String description();

  /** @return after the options and the configuration keys: exit codes, examples */
  protected abstract String footer();

  /** @return the top-level keys of the configuration, listed in the help */
  protected abstract java.util.Collection<String> configKeys();

  /** @return the wire protocol version the program speaks ({@code Message.VERSION}) */
  protected abstract int protocolVersion();

  /** @return the configuration keys the flags set, by key; a flag overrides its key in the {@code -conf} file */
  public abstract JsonObject overrides();

  /** @return the flag that sets each configuration key of {@link #overrides()}, by key */
  protected abstract Map<String, String> flagsByKey();

  /** @return the launcher's options as given, to run the launcher with */
  public final List<String> launcherArgs() {
    return launcherArgs;
  }

  /**
   * @param message a configuration error, {@code config key 'port' is …}
   * @return the message, naming the flag that set the key when a flag did: {@code … (set by --port)}
   */
  public final String explain(String message) {
    Matcher key = CONFIG_KEY.matcher(message);
    if (key.find() && overrides().containsKey(key.group(1))) {
      String flag = flagsByKey().get(key.group(1));
      return flag == null ? message : message + " (set by " + flag + ")";
    }
    return message;
  }

  /** @return a usage mistake reported like any other: one line */
  protected static ParameterException usageError(CommandLine commandLine, String message) {
    return new ParameterException(commandLine, message);
  }

  /** @return {@code json} with {@code key} set when {@code value} is not {@code null} */
  protected static JsonObject putIfSet(JsonObject json, String key, Object value) {
    return value == null ? json : json.put(key, value);
  }
}
