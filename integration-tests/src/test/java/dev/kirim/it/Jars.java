package dev.kirim.it;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the packaged jars are: system properties {@code kirim.server.jar} / {@code kirim.client.jar}, which the
 * failsafe configuration sets to the jars Maven copied into {@code target/jars}.
 */
public final class Jars {

  private Jars() {
  }

  public static Path server() {
    return jar("kirim.server.jar", "target/jars/kirim-server.jar");
  }

  public static Path client() {
    return jar("kirim.client.jar", "target/jars/kirim-client.jar");
  }

  /** @return {@code bin/kirim-client}, the client's quick-start script */
  public static Path clientScript() {
    return jar("kirim.client.script", "../bin/kirim-client");
  }

  /** @return the java launcher of the JVM running the tests, so that the jars run on the same Java */
  public static String java() {
    return ProcessHandle.current().info().command()
      .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
  }

  private static Path jar(String property, String fallback) {
    Path path = Path.of(System.getProperty(property, fallback)).toAbsolutePath().normalize();
    if (!Files.isRegularFile(path)) {
      throw new IllegalStateException(property + ": " + path + " does not exist; the integration tests run "
        + "the packaged jars: build with ./mvnw verify (failsafe runs after package)");
    }
    return path;
  }
}
