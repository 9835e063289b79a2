package dev.kirim.server.auth;

import dev.kirim.config.ConfigException;
import dev.kirim.config.ConfigReader;
import dev.kirim.io.IoErrors;
import dev.kirim.protocol.NameRules;
import dev.kirim.protocol.ProtocolException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import javax.security.auth.x500.X500Principal;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

/**
 * Reads and checks the server's tokens file, {@code {"clients": [{"name", "tokenSha256", "dir", "maxBytes"?,
 * "maxFiles"?, "certSubject"?}]}}. Every problem is a {@link ConfigException} naming the file, the entry and the
 * field: a server never starts with a tokens file it half understood.
 */
public final class TokensFile {

  private static final Set<String> KEYS = Set.of("name", "tokenSha256", "dir", "maxBytes", "maxFiles", "certSubject");

  private TokensFile() {
  }

  /**
   * @return what tells one version of {@code file} from another for {@link TokensWatch}: its size and modification
   *   time, or {@code missing}
   */
  public static String stamp(Path file) {
    try {
      return Files.size(file) + "@" + Files.getLastModifiedTime(file).toMillis();
    } catch (IOException e) {
      return "missing";
    }
  }

  /** @throws ConfigException naming the first problem */
  public static List<ClientEntry> load(Path file) {
    String text;
    try {
      text = Files.readString(file);
    } catch (NoSuchFileException e) {
      throw new ConfigException("config key 'auth.tokensFile': file " + file + " does not exist");
    } catch (CharacterCodingException e) {
      throw new ConfigException("config key 'auth.tokensFile': " + file + " is not UTF-8 text: save it as UTF-8");
    } catch (IOException e) {
      throw new ConfigException("config key 'auth.tokensFile': cannot read " + file + ": " + IoErrors.describe(e)
        + "; " + IoErrors.advice(e));
    }
    JsonObject json = ConfigReader.parseObject(text, "config key 'auth.tokensFile': " + file);
    if (!(json.getValue("clients") instanceof JsonArray clients)) {
      throw bad(file, "has no \"clients\" array");
    }
    List<ClientEntry> entries = new ArrayList<>();
    Set<String> names = new HashSet<>();
    Set<String> hashes = new HashSet<>();
    Set<String> subjects = new HashSet<>();
    for (int i = 0; i < clients.size(); i++) {
      if (!(clients.getValue(i) instanceof JsonObject client)) {
        throw bad(file, "clients[" + i + "] is not an object");
      }
      ClientEntry entry = entry(file, "clients[" + i + "]", client);
      String where = "clients[" + i + "] (\"" + entry.name() + "\")";
      if (!names.add(entry.name())) {
        throw bad(file, where + ": the name is used by another entry too");
      }
      if (entry.tokenSha256() != null && !hashes.add(HexFormat.of().formatHex(entry.tokenSha256()))) {
        throw bad(file, where + ": 'tokenSha256' is another entry's too (two clients with one token)");
      }
      if (entry.certSubject() != null && !subjects.add(entry.certSubject().getName(X500Principal.CANONICAL))) {
        throw bad(file, where + ": 'certSubject' is another entry's too");
      }
      for (ClientEntry other : entries) {
        if (nested(entry.dir(), other.dir()) || nested(other.dir(), entry.dir())) {
          throw bad(file, where + ": 'dir' \"" + entry.dir() + "\" overlaps \"" + other.name() + "\"'s \""
            + other.dir() + "\": each client needs a directory of its own");
        }
      }
      entries.add(entry);
    }
    return List.copyOf(entries);
  }

  private static boolean nested(String dir, String inside) {
    return inside.equals(dir) || inside.startsWith(dir + "/");
  }

  private static ClientEntry entry(Path file, String where, JsonObject client) {
    for (String key : client.fieldNames()) {
      if (!KEYS.contains(key)) {
        throw bad(file, where + ": unknown field '" + key + "' (expected " + String.join(", ", KEYS.stream().sorted().toList()) + ")");
      }
    }
    String name = text(file, where, client, "name", true);
    where = where + " (\"" + name + "\")";
    String hash = text(file, where, client, "tokenSha256", false);
    String subject = text(file, where, client, "certSubject", false);
    if (hash == null && subject == null) {
      throw bad(file, where + ": needs 'tokenSha256' (or, with client certificates, 'certSubject')");
    }
    if (hash != null && !hash.matches("[0-9a-fA-F]{64}")) {
      throw bad(file, where + ": 'tokenSha256' must be the token's SHA-256 in hex, 64 digits (java -jar "
        + "kirim-server.jar --hash-token prints it), not the token itself");
    }
    String dir = text(file, where, client, "dir", true);
    try {
      NameRules.check(dir);
    } catch (ProtocolException e) {
      throw bad(file, where + ": 'dir' must be a relative directory inside storageDir (no '..', not absolute): "
        + e.getMessage());
    }
    X500Principal certSubject;
    try {
      certSubject = subject == null ? null : new X500Principal(subject);
    } catch (IllegalArgumentException e) {
      throw bad(file, where + ": 'certSubject' is not a distinguished name such as \"CN=aji,O=example\": " + e.getMessage());
    }
    return new ClientEntry(name, hash == null ? null : HexFormat.of().parseHex(hash.toLowerCase()), dir,
      quota(file, where, client, "maxBytes"), quota(file, where, client, "maxFiles"), certSubject);
  }

  private static String text(Path file, String where, JsonObject client, String key, boolean required) {
    Object value = client.getValue(key);
    if (value == null && !required) {
      return null;
    }
    if (!(value instanceof String text) || text.isBlank()) {
      throw bad(file, where + ": '" + key + "' must be a non-empty string");
    }
    return text;
  }

  private static Long quota(Path file, String where, JsonObject client, String key) {
    Object value = client.getValue(key);
    if (value == null) {
      return null;
    }
    if (!(value instanceof Integer || value instanceof Long) || ((Number) value).longValue() < 1) {
      throw bad(file, where + ": '" + key + "' must be a positive integer, got " + value);
    }
    return ((Number) value).longValue();
  }

  private static ConfigException bad(Path file, String problem) {
    return new ConfigException("config key 'auth.tokensFile': " + file + " " + problem);
  }
}
