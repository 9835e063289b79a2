package dev.kirim.launch;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/** What the build stamped into the jar, and the versions a bug report needs. */
public final class BuildInfo {

  private BuildInfo() {
  }

  /** @return the kirim version from the jar manifest, {@code "dev"} when run from classes (tests, IDE) */
  public static String version() {
    String version = BuildInfo.class.getPackage().getImplementationVersion();
    return version == null ? "dev" : version;
  }

  /** @return the Vert.x version on the class path (vertx-core's own version file), or {@code "unknown"} */
  public static String vertxVersion() {
    try (InputStream in = BuildInfo.class.getClassLoader().getResourceAsStream("META-INF/vertx/vertx-version.txt")) {
      return in == null ? "unknown" : new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      return "unknown";
    }
  }

  /**
   * @return what {@code --version} prints: {@code kirim-client 0.1.0 (protocol version 2)} on the first line (the
   *   one for scripts), then the Vert.x and Java versions
   */
  public static String describe(String program, int protocolVersion) {
    return program + " " + version() + " (protocol version " + protocolVersion + ")" + System.lineSeparator()
      + "Vert.x " + vertxVersion() + ", Java " + System.getProperty("java.version") + " ("
      + System.getProperty("java.vendor") + ")";
  }
}
