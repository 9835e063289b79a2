package dev.kirim.server;

import dev.kirim.launch.KirimCommandLine;
import dev.kirim.protocol.Message;
import io.vertx.core.json.JsonObject;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.Collection;
import java.util.Map;

/** The server jar's command line: {@code [--dir DIR] [--port N] [--host H]}, each setting its configuration key. */
@Command(name = "kirim-server", sortOptions = false)
public final class ServerCommandLine extends KirimCommandLine {

  @Option(names = "--dir", paramLabel = "DIR",
    description = "Where received files are stored (key \"storageDir\", default ./received).")
  private String dir;

  @Option(names = "--port", paramLabel = "N", description = "TCP port to listen on, 0 for any free one (key \"port\", "
    + "default 25563).")
  private Integer port;

  @Option(names = "--host", paramLabel = "HOST", description = "Address to listen on (key \"host\", default 0.0.0.0).")
  private String host;

  @Option(names = "--hash-token", description = "Read a client's token on stdin, print its SHA-256 (the "
    + "\"tokenSha256\" of the tokens file) and exit.")
  private boolean hashToken;

  public ServerCommandLine() {
    super("kirim-server");
  }

  /** @return whether {@code --hash-token} was given: the program hashes a token instead of running */
  public boolean hashTokenRequested() {
    return hashToken;
  }

  @Override
  public JsonObject overrides() {
    JsonObject json = new JsonObject();
    putIfSet(json, "storageDir", dir);
    putIfSet(json, "port", port);
    putIfSet(json, "host", host);
    return json;
  }

  @Override
  protected Map<String, String> flagsByKey() {
    return Map.of("storageDir", "--dir", "port", "--port", "host", "--host");
  }

  /** The keys {@link ServerOptions} reads, {@code cluster} (the launcher's) included. */
  @Override
  protected Collection<String> configKeys() {
    return ServerOptions.KEYS;
  }

  @Override
  protected int protocolVersion() {
    return Message.VERSION;
  }

  @Override
  protected String synopsis() {
    return """
      Usage: java -jar kirim-server.jar [--dir DIR] [--port N] [--host HOST] [-conf server.json] [OPTIONS]
             java -jar kirim-server.jar --hash-token < token-file
      """;
  }

  @Override
  protected String description() {
    return """
      Receives files pushed by kirim clients over TCP. A file appears under its name only once all its
      bytes arrived, its checksum matched and it is on disk; an interrupted upload resumes; a name can
      never escape the storage directory. Without -conf every key has its default.
      """;
  }

  @Override
  protected String footer() {
    return """
      Exit codes:
        0        -h/--help, --version, --hash-token
        2        bad usage or configuration (one line names the problem)
        3        cannot listen (address in use, not permitted) or the storage directory is unusable
        11       Vert.x failed to start (e.g. the cluster); 15 other deployment failure
        130/143  stopped by Ctrl-C / SIGTERM

      Examples:
        java -jar kirim-server.jar --dir /srv/inbox
        java -jar kirim-server.jar -conf conf/server.json --port 25570 -instances 4
        head -c 32 /dev/urandom | base64 > aji.token; java -jar kirim-server.jar --hash-token < aji.token
      """;
  }
}
