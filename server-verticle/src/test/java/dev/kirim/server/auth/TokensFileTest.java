package dev.kirim.server.auth;

import dev.kirim.config.ConfigException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The tokens file is checked whole at start: each problem is one line naming the file, the entry and the field. */
class TokensFileTest {

  private static final String HASH = TokenHash.hex("secret");

  @TempDir
  Path dir;

  private Path write(String text) throws IOException {
    return Files.writeString(dir.resolve("tokens.json"), text);
  }

  private Path write(JsonObject... clients) throws IOException {
    return write(new JsonObject().put("clients", new JsonArray(List.of((Object[]) clients))).encode());
  }

  private static JsonObject client(String name, String hash, String dir) {
    return new JsonObject().put("name", name).put("tokenSha256", hash).put("dir", dir);
  }

  private String refused(Path file) {
    String message = assertThrows(ConfigException.class, () -> TokensFile.load(file)).getMessage();
    assertTrue(message.startsWith("config key 'auth.tokensFile': ") && message.contains(file.toString()), message);
    assertFalse(message.contains("\n"), message);
    assertFalse(message.contains("secret"), "never the token: " + message);
    return message;
  }

  @Test
  void readsEntriesWithQuotasAndSubjects() throws IOException {
    List<ClientEntry> entries = TokensFile.load(write(
      client("aji", HASH.toUpperCase(), "aji").put("maxBytes", 10_000_000_000L).put("maxFiles", 100_000),
      new JsonObject().put("name", "robot").put("certSubject", "CN=robot, O=example").put("dir", "machines/robot")));
    assertEquals(2, entries.size());
    assertArrayEquals(TokenHash.of("secret"), entries.get(0).tokenSha256());
    assertEquals(10_000_000_000L, entries.get(0).maxBytes());
    assertEquals(100_000L, entries.get(0).maxFiles());
    assertNull(entries.get(1).tokenSha256());
    assertEquals("CN=robot,O=example", entries.get(1).certSubject().getName());
  }

  @Test
  void badJsonIsRefused() throws IOException {
    String truncated = refused(write("{\"clients\": ["));
    assertTrue(truncated.contains("is not valid JSON: line 1, column ") && truncated.endsWith("fix the JSON")
      && !truncated.contains("Source"), truncated);
    assertTrue(refused(write("[1, 2]")).contains("holds a JSON array, expected an object"));
    assertTrue(refused(write("{}")).contains("has no \"clients\" array"));
  }

  @Test
  void badHexIsRefused() throws IOException {
    assertTrue(refused(write(client("aji", "secret", "aji"))).contains("64 digits"));
    assertTrue(refused(write(client("aji", HASH.substring(1) + "g", "aji"))).contains("'tokenSha256'"));
  }

  @Test
  void duplicateNamesAreRefused() throws IOException {
    String message = refused(write(client("aji", HASH, "aji"), client("aji", TokenHash.hex("other"), "aji2")));
    assertTrue(message.contains("clients[1] (\"aji\"): the name is used by another entry too"), message);
  }

  @Test
  void duplicateTokensAreRefused() throws IOException {
    assertTrue(refused(write(client("aji", HASH, "aji"), client("budi", HASH, "budi"))).contains("two clients with one token"));
  }

  @Test
  void dirEscapingStorageDirIsRefused() throws IOException {
    assertTrue(refused(write(client("aji", HASH, "../elsewhere"))).contains("'dir' must be a relative directory inside storageDir"));
    assertTrue(refused(write(client("aji", HASH, "/srv/inbox"))).contains("'dir'"));
  }

  @Test
  void overlappingDirsAreRefused() throws IOException {
    String message = refused(write(client("aji", HASH, "team"), client("budi", TokenHash.hex("b"), "team/budi")));
    assertTrue(message.contains("overlaps"), message);
  }

  @Test
  void badQuotasAndUnknownFieldsAreRefused() throws IOException {
    assertTrue(refused(write(client("aji", HASH, "aji").put("maxBytes", -1))).contains("'maxBytes' must be a positive integer"));
    assertTrue(refused(write(client("aji", HASH, "aji").put("maxFiles", "many"))).contains("'maxFiles'"));
    assertTrue(refused(write(client("aji", HASH, "aji").put("token", "secret"))).contains("unknown field 'token'"));
  }

  @Test
  void missingFileIsRefused() {
    assertTrue(refused(dir.resolve("tokens.json")).contains("does not exist"));
  }
}
