package dev.kirim.client;

import dev.kirim.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Where the token comes from: {@code token}, then {@code tokenFile}, then {@code KIRIM_TOKEN}. */
class ClientTokenTest {

  @TempDir
  Path dir;

  @Test
  void precedenceIsTokenThenTokenFileThenEnvironment() throws IOException {
    Path file = Files.writeString(dir.resolve("t"), "from-file\n");
    assertEquals("from-config", ClientToken.resolve("from-config", null, name -> "from-env"));
    assertEquals("from-file", ClientToken.resolve(null, file.toString(), name -> "from-env"));
    assertEquals("from-env", ClientToken.resolve(null, null, name -> name.equals("KIRIM_TOKEN") ? " from-env " : null));
    assertNull(ClientToken.resolve(null, null, name -> null));
  }

  @Test
  void bothKeysAreAMistake() {
    String message = assertThrows(ConfigException.class,
      () -> ClientToken.resolve("a", "b", name -> null)).getMessage();
    assertTrue(message.contains("'tokenFile'") && message.contains("'token'"), message);
  }

  @Test
  void missingOrEmptyTokenFileNamesTheKey() throws IOException {
    String message = assertThrows(ConfigException.class,
      () -> ClientToken.resolve(null, dir.resolve("none").toString(), name -> null)).getMessage();
    assertTrue(message.startsWith("config key 'tokenFile'") && message.contains("does not exist"), message);
    Path empty = Files.writeString(dir.resolve("empty"), "\n");
    message = assertThrows(ConfigException.class, () -> ClientToken.resolve(null, empty.toString(), name -> null))
      .getMessage();
    assertTrue(message.contains("is empty"), message);
  }

  @Test
  void tokenFileOthersMayReadIsWarnedAbout() throws IOException {
    Path file = Files.writeString(dir.resolve("t"), "secret");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
    String warning = ClientToken.readableByOthers(file);
    assertTrue(warning != null && warning.contains("chmod 600") && !warning.contains("secret"), warning);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    assertNull(ClientToken.readableByOthers(file));
  }
}
