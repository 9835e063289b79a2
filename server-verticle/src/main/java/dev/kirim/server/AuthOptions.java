package dev.kirim.server;

import dev.kirim.config.ConfigException;
import io.vertx.core.json.JsonObject;

/**
 * The server's {@code auth} key: who may push. Today only {@code "auth": "none"} (anyone who can connect,
 * stated explicitly) is accepted; the key is parsed so that {@code {"tokensFile": …}} can take its place.
 * A server without the key runs in {@link ProtectedMode}.
 */
public final class AuthOptions {

  /** The one value accepted so far: no authentication, on purpose. */
  public static final String NONE = "none";

  private static final AuthOptions OPEN = new AuthOptions();

  private AuthOptions() {
  }

  /** @return {@code "auth": "none"}: every client is accepted, whatever its address */
  public static AuthOptions none() {
    return OPEN;
  }

  /**
   * @param value the value of {@code auth}
   * @return the settings, or {@code null} when the key is absent
   * @throws ConfigException for any other value than {@code "none"}
   */
  public static AuthOptions parse(Object value) {
    if (value == null) {
      return null;
    }
    if (NONE.equals(value)) {
      return OPEN;
    }
    if (value instanceof JsonObject json && json.containsKey("tokensFile")) {
      throw new ConfigException("config key 'auth.tokensFile': token authentication is not supported yet by this "
        + "version; set \"auth\": \"none\" to accept every client, or leave 'auth' out to accept only local ones");
    }
    throw new ConfigException("config key 'auth' is " + (value instanceof String ? "\"" + value + "\"" : value)
      + ", expected \"none\" (accept every client; token authentication, {\"tokensFile\": …}, is not supported yet)");
  }

  /** @return whether every client is accepted without authentication */
  public boolean isNone() {
    return this == OPEN;
  }

  public Object toJson() {
    return NONE;
  }
}
