package dev.kirim.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A small test CA and the certificates the TLS tests need, made with the {@code openssl} command (the one
 * the README tells users to run) in a directory of the test's: nothing with a private key is committed.
 * EC P-256 keys in PKCS#8 PEM, as {@code openssl req -newkey ec} writes them.
 * <ul>
 * <li>{@link #ca()}: the CA; {@link #otherCa()}: the "wrong CA", which issues only what a test asks it for;</li>
 * <li>{@link #server()}: for {@code localhost} and {@code 127.0.0.1}; {@link #client()}: a client certificate;</li>
 * <li>{@link #expired()}: a server certificate whose validity ended when it was made;</li>
 * <li>{@link #issue}: more, e.g. a replacement for a reload, or a cluster member's certificate (by
 *   {@link #otherCa()} too: a member of another cluster).</li>
 * </ul>
 */
public final class TestCerts {

  /** A certificate file and its key file. */
  public record Pair(Path cert, Path key) {
  }

  private final Path dir;
  private final Pair ca;
  private final Pair otherCa;
  private final Pair server;
  private final Pair client;
  private final Pair expired;

  private TestCerts(Path dir) {
    this.dir = dir;
    ca = selfSigned("ca", "kirim test CA");
    otherCa = selfSigned("other-ca", "another CA");
    long expiredAt = System.currentTimeMillis();
    expired = issue("expired", "localhost", 0, "DNS:localhost", "IP:127.0.0.1");
    server = issue("server", "localhost", 30, "DNS:localhost", "IP:127.0.0.1");
    client = issue("client", "kirim test client", 30);
    // An end date of "now" is in the past a second later (certificate times have seconds).
    sleepUntil(expiredAt + 1_100);
  }

  /** @return whether the {@code openssl} command can be run here */
  public static boolean opensslAvailable() {
    try {
      return new ProcessBuilder("openssl", "version").redirectErrorStream(true).start().waitFor() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Makes the CA and the certificates in {@code dir} (a test's temporary directory). */
  public static TestCerts create(Path dir) {
    return new TestCerts(dir);
  }

  public Pair ca() {
    return ca;
  }

  public Pair otherCa() {
    return otherCa;
  }

  public Pair server() {
    return server;
  }

  public Pair client() {
    return client;
  }

  public Pair expired() {
    return expired;
  }

  /**
   * Issues a certificate signed by {@link #ca()}.
   *
   * @param name     the files' base name in the directory
   * @param days     validity from now, 0: ends now
   * @param altNames subject alternative names, e.g. {@code DNS:localhost}, {@code IP:127.0.0.1}
   */
  public Pair issue(String name, String commonName, int days, String... altNames) {
    return issue(ca, name, commonName, days, altNames);
  }

  /**
   * Issues a certificate signed by {@code issuer}, {@link #ca()} or {@link #otherCa()}.
   *
   * @see #issue(String, String, int, String...)
   */
  public Pair issue(Pair issuer, String name, String commonName, int days, String... altNames) {
    Pair pair = new Pair(dir.resolve(name + ".pem"), dir.resolve(name + ".key"));
    Path request = dir.resolve(name + ".csr");
    openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", pair.key().toString(),
      "-out", request.toString(), "-subj", "/CN=" + commonName);
    List<String> sign = new ArrayList<>(List.of("x509", "-req", "-in", request.toString(), "-CA",
      issuer.cert().toString(), "-CAkey", issuer.key().toString(), "-CAcreateserial", "-out", pair.cert().toString(),
      "-days", String.valueOf(days)));
    if (altNames.length > 0) {
      Path extensions = dir.resolve(name + ".ext");
      write(extensions, "subjectAltName=" + String.join(",", altNames) + "\n");
      sign.addAll(List.of("-extfile", extensions.toString()));
    }
    openssl(sign.toArray(String[]::new));
    return pair;
  }

  private Pair selfSigned(String name, String commonName) {
    Pair pair = new Pair(dir.resolve(name + ".pem"), dir.resolve(name + ".key"));
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout",
      pair.key().toString(), "-out", pair.cert().toString(), "-days", "30", "-subj", "/CN=" + commonName);
    return pair;
  }

  private void openssl(String... args) {
    List<String> command = new ArrayList<>(List.of("openssl"));
    command.addAll(List.of(args));
    try {
      Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (process.waitFor() != 0) {
        throw new IllegalStateException(String.join(" ", command) + " failed: " + output);
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot run openssl (is it installed?): " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  private static void write(Path file, String text) {
    try {
      Files.writeString(file, text);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void sleepUntil(long millis) {
    long wait = millis - System.currentTimeMillis();
    if (wait > 0) {
      try {
        Thread.sleep(wait);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
