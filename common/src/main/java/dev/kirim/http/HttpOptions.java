package dev.kirim.http;

import dev.kirim.config.ConfigReader;
import dev.kirim.config.ConfigException;
import io.vertx.core.json.JsonObject;

import java.util.Set;

/**
 * The optional HTTP port of the server, and of a client running as a service
 * ({@code "http": {"host": "127.0.0.1", "port": 25564}}): {@code /metrics}, {@code /health}, and on the server the
 * status page. Absent means no HTTP port at all. It has no authentication: keep it on loopback or a management
 * network.
 */
public class HttpOptions {

  public static final String DEFAULT_HOST = "127.0.0.1";
  public static final int DEFAULT_PORT = 25564;
  private static final int MAX_PORT = 65535;

  private static final Set<String> KEYS = Set.of("host", "port");

  private String host = DEFAULT_HOST;
  private int port = DEFAULT_PORT;

  public HttpOptions() {
  }

  public HttpOptions(HttpOptions other) {
    this.host = other.host;
    this.port = other.port;
  }

  /**
   * @param config the {@code http} object of the server configuration
   * @throws dev.kirim.config.ConfigException naming the bad key
   */
  public HttpOptions(ConfigReader config) {
    config.rejectUnknownKeys(KEYS);
    host = config.string("host", DEFAULT_HOST);
    port = config.integer("port", DEFAULT_PORT, 0, MAX_PORT);
    validate();
  }

  /** @return this; checked again however the options were set */
  public HttpOptions validate() {
    if (host == null || host.isBlank()) {
      throw new ConfigException("config key 'http.host' is empty, expected an address, e.g. \"127.0.0.1\"");
    }
    ConfigReader.requireRange("http.port", port, 0, MAX_PORT);
    return this;
  }

  public JsonObject toJson() {
    return new JsonObject().put("host", host).put("port", port);
  }

  public String getHost() {
    return host;
  }

  public HttpOptions setHost(String host) {
    this.host = host;
    return this;
  }

  public int getPort() {
    return port;
  }

  public HttpOptions setPort(int port) {
    this.port = port;
    return this;
  }
}
