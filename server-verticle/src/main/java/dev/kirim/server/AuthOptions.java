package dev.kirim.server;

import dev.kirim.config.ConfigException;
import dev.kirim.config.ConfigReader;
import dev.kirim.server.auth.ClientEntry;
import dev.kirim.server.auth.TokensFile;
import io.vertx.core.json.JsonObject;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * The server's {@code auth} key: who may push. {@code "auth": "none"} accepts anyone who can connect, stated
 * explicitly; {@code "auth": {"tokensFile": "tokens.json"}} accepts only the clients that file lists, each
 * confined to its own directory ({@link TokensFile}, read and checked when the options are). A server without
 * the key runs in {@link ProtectedMode}.
 */
public final class AuthOptions {

  /** No authentication, on purpose. */
  public static final String NONE = "none";

  private static final AuthOptions OPEN = new AuthOptions(null, List.of(), null);

  private final Path tokensFile;
  private final List<ClientEntry> clients;
  // The file's stamp taken before it was read: what the reload watch starts from.
  private final String tokensStamp;

  private AuthOptions(Path tokensFile, List<ClientEntry> clients, String tokensStamp) {
    this.tokensFile = tokensFile;
    this.clients = clients;
    this.tokensStamp = tokensStamp;
  }

  /** @return {@code "auth": "none"}: every client is accepted, whatever its address */
  public static AuthOptions none() {
    return OPEN;
  }

  /**
   * @param tokensFile read and checked now
   * @throws ConfigException naming the problem in the file
   */
  public static AuthOptions tokens(Path tokensFile) {
    Path file = Objects.requireNonNull(tokensFile, "tokensFile").toAbsolutePath().normalize();
    String stamp = TokensFile.stamp(file);
    return new AuthOptions(file, TokensFile.load(file), stamp);
  }

  /**
   * @param value the value of {@code auth}
   * @return the settings, or {@code null} when the key is absent
   * @throws ConfigException for a value that is neither {@code "none"} nor {@code {"tokensFile": …}}, or a bad
   *   tokens file
   */
  public static AuthOptions parse(Object value) {
    if (value == null) {
      return null;
    }
    if (NONE.equals(value)) {
      return OPEN;
    }
    if (value instanceof JsonObject json) {
      for (String key : json.fieldNames()) {
        if (!key.equals("tokensFile")) {
          throw new ConfigException("config key 'auth." + key + "' is unknown, expected only 'auth.tokensFile'");
        }
      }
      if (!(json.getValue("tokensFile") instanceof String file) || file.isBlank()) {
        throw new ConfigException("config key 'auth.tokensFile' must name the tokens file, e.g. \"tokens.json\"");
      }
      return tokens(ConfigReader.toPath("auth.tokensFile", file));
    }
    throw new ConfigException("config key 'auth' is " + (value instanceof String ? "\"" + value + "\"" : value)
      + ", expected \"none\" (accept every client) or {\"tokensFile\": \"tokens.json\"} (accept the clients it lists)");
  }

  /** @return whether every client is accepted without authentication */
  public boolean isNone() {
    return this == OPEN;
  }

  /** @return the tokens file, {@code null} for {@code "none"} */
  public Path getTokensFile() {
    return tokensFile;
  }

  /** @return the clients of the tokens file, empty for {@code "none"} */
  public List<ClientEntry> getClients() {
    return clients;
  }

  /** @return the tokens file's {@link TokensFile#stamp} from before {@link #getClients()} were read from it */
  public String getTokensStamp() {
    return tokensStamp;
  }

  public Object toJson() {
    return isNone() ? NONE : new JsonObject().put("tokensFile", tokensFile.toString());
  }
}
