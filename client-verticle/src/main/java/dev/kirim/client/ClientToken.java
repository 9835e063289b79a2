package dev.kirim.client;

import dev.kirim.config.ConfigException;
import dev.kirim.config.ConfigReader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * Where the client's token comes from, first found wins: the {@code token} key, the file named by
 * {@code tokenFile} (so that the token need not sit in a configuration file), the environment variable
 * {@value #ENV}. Setting both keys is a mistake. Surrounding whitespace (a file's final newline) is not part of
 * the token. A token file that its group or others may read gets a WARN line: anyone who can read it can push
 * as this client. The token itself is never logged nor written anywhere.
 */
final class ClientToken {

  static final String ENV = "KIRIM_TOKEN";
  private static final Logger log = LoggerFactory.getLogger(ClientToken.class);
  private static final int MAX_BYTES = 4096;

  private ClientToken() {
  }

  /**
   * @param token     the {@code token} key, {@code null} when absent
   * @param tokenFile the {@code tokenFile} key, {@code null} when absent
   * @param env       looks up environment variables
   * @return the token, {@code null} when none is configured
   * @throws ConfigException naming the key at fault
   */
  static String resolve(String token, String tokenFile, UnaryOperator<String> env) {
    if (token != null && tokenFile != null) {
      throw new ConfigException("config key 'tokenFile' is set together with 'token': set only one (or neither, "
        + "and the environment variable " + ENV + ")");
    }
    if (token != null) {
      return check(token.strip(), "config key 'token'");
    }
    if (tokenFile != null) {
      return check(read(ConfigReader.toPath("tokenFile", tokenFile)), "config key 'tokenFile': " + tokenFile);
    }
    String fromEnv = env.apply(ENV);
    return fromEnv == null || fromEnv.isBlank() ? null : check(fromEnv.strip(), "environment variable " + ENV);
  }

  private static String read(Path file) {
    try {
      if (Files.size(file) > MAX_BYTES) {
        throw new ConfigException("config key 'tokenFile': " + file + " is larger than " + MAX_BYTES
          + " bytes: is it a token file?");
      }
      warnIfOthersMayRead(file);
      return Files.readString(file).strip();
    } catch (NoSuchFileException e) {
      throw new ConfigException("config key 'tokenFile': file " + file + " does not exist");
    } catch (IOException e) {
      throw new ConfigException("config key 'tokenFile': cannot read " + file + ": " + e.getMessage());
    }
  }

  private static void warnIfOthersMayRead(Path file) throws IOException {
    String warning = readableByOthers(file);
    if (warning != null) {
      log.warn(warning);
    }
  }

  /** @return the WARN line for a token file its group or others may read, {@code null} when only its owner may */
  static String readableByOthers(Path file) throws IOException {
    Set<PosixFilePermission> permissions;
    try {
      permissions = Files.getPosixFilePermissions(file);
    } catch (UnsupportedOperationException e) {
      return null;
    }
    if (!permissions.contains(PosixFilePermission.GROUP_READ) && !permissions.contains(PosixFilePermission.OTHERS_READ)) {
      return null;
    }
    return "Token file " + file + " may be read by its group or others (mode "
      + java.nio.file.attribute.PosixFilePermissions.toString(permissions) + "): anyone who reads it can push as this "
      + "client; chmod 600 " + file;
  }

  private static String check(String token, String where) {
    if (token.isEmpty()) {
      throw new ConfigException(where + " is empty, expected the client's token");
    }
    if (token.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
      throw new ConfigException(where + ": the token holds a control character or several lines, expected one line");
    }
    return token;
  }
}
