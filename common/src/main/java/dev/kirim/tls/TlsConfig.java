package dev.kirim.tls;

import dev.kirim.config.ConfigException;
import dev.kirim.config.ConfigReader;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The {@code tls} configuration keys of both programs, parsed and checked in one place.
 * <ul>
 * <li>server: <code>"tls": {"cert": "server.pem", "key": "server.key", "clientCa": "ca.pem"}</code>, with
 *   {@code clientCa} optional: when set, clients must present a certificate issued by it (mutual TLS);</li>
 * <li>client: {@code "tls": true} (trust the JDK's system CAs) or
 *   <code>{"ca": "ca.pem", "cert": "client.pem", "key": "client.key", "serverName": "files.example"}</code>,
 *   every field optional, {@code cert} and {@code key} together;</li>
 * <li>both, when clustered: <code>"cluster": {"tls": {"cert": "member.pem", "key": "member.key", "ca":
 *   "cluster-ca.pem"}}</code>, every field required: the member's certificate, which it shows both when it
 *   connects and when it is connected to, and the CA every other member's certificate must be issued by
 *   ({@link Member}, applied to the event bus by {@code dev.kirim.cluster.ClusterTls}).</li>
 * </ul>
 * Relative paths resolve against the working directory. Every file is read and checked when the
 * configuration is parsed, so that a mistake is one line naming the key and the file.
 */
public final class TlsConfig {

  /** TLS 1.2 and 1.3 only; cipher suites are the JDK's defaults for them. */
  public static final Set<String> PROTOCOLS = new LinkedHashSet<>(List.of("TLSv1.2", "TLSv1.3"));

  private TlsConfig() {
  }

  /** The server's {@code tls} key. */
  public record Server(Path cert, Path key, Path clientCa) {

    private static final Set<String> KEYS = Set.of("cert", "key", "clientCa");

    /**
     * @param value the value of the key ({@code null}: no TLS)
     * @param name  the key's name in messages, e.g. {@code tls}
     * @return the settings, their files checked; {@code null} when {@code value} is {@code null}
     * @throws ConfigException naming the bad key or file
     */
    public static Server parse(Object value, String name) {
      if (value == null) {
        return null;
      }
      JsonObject json = requireObject(value, name, "{\"cert\": \"server.pem\", \"key\": \"server.key\"} "
        + "and optionally \"clientCa\": \"ca.pem\" to require client certificates");
      rejectUnknown(json, name, KEYS);
      Server server = new Server(requiredPath(json, name, "cert"), requiredPath(json, name, "key"),
        optionalPath(json, name, "clientCa"));
      server.load(name);
      return server;
    }

    /** @return whether clients must present a certificate (mutual TLS) */
    public boolean clientCertificateRequired() {
      return clientCa != null;
    }

    /**
     * Reads and checks the files now: at start, and again for each reload.
     *
     * @throws ConfigException naming the bad key and file
     */
    public Material load(String name) {
      Buffer certificates = PemFiles.certificates(name + ".cert", cert);
      Buffer privateKey = PemFiles.privateKey(name + ".key", key);
      PemFiles.requirePair(name + ".cert", cert, certificates, name + ".key", key, privateKey);
      Buffer authorities = clientCa == null ? null : PemFiles.certificates(name + ".clientCa", clientCa);
      return new Material(certificates, privateKey, authorities);
    }

    public JsonObject toJson() {
      return new JsonObject().put("cert", cert.toString()).put("key", key.toString())
        .put("clientCa", clientCa == null ? null : clientCa.toString());
    }
  }

  /**
   * The client's {@code tls} key.
   *
   * @param ca         the CAs to trust, {@code null}: the JDK's system trust store
   * @param cert       the client certificate for mutual TLS, or {@code null}
   * @param key        its private key, or {@code null}
   * @param serverName the name the server's certificate must carry (and the SNI sent), {@code null}: the
   *                   target's host
   */
  public record Client(Path ca, Path cert, Path key, String serverName) {

    private static final Set<String> KEYS = Set.of("ca", "cert", "key", "serverName");

    /** {@code "tls": true}: the system's CAs, the target's host name checked. */
    public static final Client SYSTEM_TRUST = new Client(null, null, null, null);

    /**
     * @param value {@code null} or {@code false}: no TLS; {@code true}; or an object
     * @return the settings, their files checked; {@code null} for no TLS
     * @throws ConfigException naming the bad key or file
     */
    public static Client parse(Object value, String name) {
      if (value == null || Boolean.FALSE.equals(value)) {
        return null;
      }
      if (Boolean.TRUE.equals(value)) {
        return SYSTEM_TRUST;
      }
      JsonObject json = requireObject(value, name, "true (trust the system's CAs) or {\"ca\": \"ca.pem\"} with "
        + "optionally \"cert\" and \"key\" (a client certificate) and \"serverName\"");
      rejectUnknown(json, name, KEYS);
      Path cert = optionalPath(json, name, "cert");
      Path key = optionalPath(json, name, "key");
      if ((cert == null) != (key == null)) {
        throw new ConfigException("config key '" + name + "." + (cert == null ? "cert" : "key") + "' is not set, "
          + "while '" + name + "." + (cert == null ? "key" : "cert") + "' is: a client certificate needs both");
      }
      Object serverName = json.getValue("serverName");
      if (serverName != null && (!(serverName instanceof String text) || text.isBlank())) {
        throw new ConfigException("config key '" + name + ".serverName' is " + serverName
          + ", expected the host name the server's certificate carries, e.g. \"files.example.com\"");
      }
      Client client = new Client(optionalPath(json, name, "ca"), cert, key, (String) serverName);
      client.load(name);
      return client;
    }

    /**
     * Reads and checks the files.
     *
     * @throws ConfigException naming the bad key and file
     */
    public Material load(String name) {
      Buffer authorities = ca == null ? null : PemFiles.certificates(name + ".ca", ca);
      if (cert == null) {
        return new Material(null, null, authorities);
      }
      Buffer certificates = PemFiles.certificates(name + ".cert", cert);
      Buffer privateKey = PemFiles.privateKey(name + ".key", key);
      PemFiles.requirePair(name + ".cert", cert, certificates, name + ".key", key, privateKey);
      return new Material(certificates, privateKey, authorities);
    }

    public Object toJson() {
      if (equals(SYSTEM_TRUST)) {
        return true;
      }
      return new JsonObject().put("ca", ca == null ? null : ca.toString())
        .put("cert", cert == null ? null : cert.toString()).put("key", key == null ? null : key.toString())
        .put("serverName", serverName);
    }
  }

  /**
   * A cluster member's {@code cluster.tls} key: mutual TLS between members, so each needs its own certificate and
   * the CA that issued everyone's.
   *
   * @param cert the member's certificate (chain)
   * @param key  its private key
   * @param ca   the cluster CA: a peer is trusted when its certificate is issued by it
   */
  public record Member(Path cert, Path key, Path ca) {

    private static final Set<String> KEYS = Set.of("cert", "key", "ca");

    /**
     * @param value the value of the key ({@code null}: no TLS)
     * @param name  the key's name in messages, e.g. {@code cluster.tls}
     * @return the settings, their files checked; {@code null} when {@code value} is {@code null}
     * @throws ConfigException naming the bad key or file
     */
    public static Member parse(Object value, String name) {
      if (value == null) {
        return null;
      }
      JsonObject json = requireObject(value, name, "{\"cert\": \"member.pem\", \"key\": \"member.key\", "
        + "\"ca\": \"cluster-ca.pem\"}");
      rejectUnknown(json, name, KEYS);
      Member member = new Member(requiredPath(json, name, "cert"), requiredPath(json, name, "key"),
        requiredPath(json, name, "ca"));
      member.load(name);
      return member;
    }

    /**
     * Reads and checks the files.
     *
     * @throws ConfigException naming the bad key and file
     */
    public Material load(String name) {
      Buffer certificates = PemFiles.certificates(name + ".cert", cert);
      Buffer privateKey = PemFiles.privateKey(name + ".key", key);
      PemFiles.requirePair(name + ".cert", cert, certificates, name + ".key", key, privateKey);
      return new Material(certificates, privateKey, PemFiles.certificates(name + ".ca", ca));
    }
  }

  /**
   * The PEM contents read from the files, as Vert.x takes them.
   *
   * @param certificates own certificate chain, or {@code null}
   * @param privateKey   its key, or {@code null}
   * @param authorities  the CAs to trust, or {@code null}
   */
  public record Material(Buffer certificates, Buffer privateKey, Buffer authorities) {
  }

  private static JsonObject requireObject(Object value, String name, String expected) {
    if (value instanceof JsonObject json) {
      return json;
    }
    if (value instanceof java.util.Map<?, ?> map) {
      @SuppressWarnings("unchecked")
      JsonObject json = new JsonObject((java.util.Map<String, Object>) map);
      return json;
    }
    throw new ConfigException("config key '" + name + "' is " + value + ", expected " + expected);
  }

  private static void rejectUnknown(JsonObject json, String name, Set<String> known) {
    for (String field : json.fieldNames()) {
      if (!known.contains(field)) {
        throw new ConfigException("unknown config key '" + name + "." + field + "' (known keys: "
          + String.join(", ", new java.util.TreeSet<>(known)) + ")");
      }
    }
  }

  private static Path requiredPath(JsonObject json, String name, String field) {
    Path path = optionalPath(json, name, field);
    if (path == null) {
      throw new ConfigException("config key '" + name + "." + field + "' is not set, expected the path of a PEM file");
    }
    return path;
  }

  private static Path optionalPath(JsonObject json, String name, String field) {
    Object value = json.getValue(field);
    if (value == null) {
      return null;
    }
    if (!(value instanceof String text) || text.isBlank()) {
      throw new ConfigException("config key '" + name + "." + field + "' is " + value
        + ", expected the path of a PEM file");
    }
    return ConfigReader.toPath(name + "." + field, text).toAbsolutePath().normalize();
  }
}
