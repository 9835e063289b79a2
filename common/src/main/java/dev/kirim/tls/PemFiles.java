package dev.kirim.tls;

import dev.kirim.config.ConfigException;
import io.vertx.core.buffer.Buffer;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the PEM files a {@code tls} key names, and checks them before Vert.x sees them, so that a wrong file
 * is one line naming the key and the file ({@link ConfigException}) instead of a handshake that fails later.
 * Only the JDK's public API is used: {@link CertificateFactory} for certificates, {@link KeyFactory} for
 * PKCS#8 keys.
 */
public final class PemFiles {

  private static final Pattern KEY_BLOCK = Pattern.compile(
    "-----BEGIN ((?:RSA |EC |ENCRYPTED )?PRIVATE KEY)-----([^-]*)-----END \\1-----");

  private PemFiles() {
  }

  /**
   * @param key  the config key naming the file, for the message
   * @return the file's bytes, holding at least one X.509 certificate in PEM form
   * @throws ConfigException when the file is missing, unreadable or holds no PEM certificate
   */
  public static Buffer certificates(String key, Path file) {
    byte[] bytes = read(key, file);
    List<X509Certificate> certificates = parseCertificates(key, file, bytes);
    if (certificates.isEmpty()) {
      throw notPem(key, file, "a PEM certificate (-----BEGIN CERTIFICATE-----)");
    }
    return Buffer.buffer(bytes);
  }

  /**
   * @return the file's bytes, holding one unencrypted private key in PEM form (PKCS#8 {@code PRIVATE KEY},
   *   or the older {@code RSA PRIVATE KEY} / {@code EC PRIVATE KEY})
   * @throws ConfigException when the file is missing, unreadable, not a PEM private key, or encrypted
   */
  public static Buffer privateKey(String key, Path file) {
    byte[] bytes = read(key, file);
    Matcher block = KEY_BLOCK.matcher(new String(bytes, StandardCharsets.US_ASCII));
    if (!block.find()) {
      throw notPem(key, file, "a PEM private key (-----BEGIN PRIVATE KEY-----)");
    }
    if (block.group(1).startsWith("ENCRYPTED")) {
      throw new ConfigException("config key '" + key + "': " + file + " holds an encrypted private key, which kirim "
        + "cannot use: decrypt it (openssl pkey -in " + file.getFileName() + " -out plain.key)");
    }
    try {
      Base64.getMimeDecoder().decode(block.group(2).strip());
    } catch (IllegalArgumentException e) {
      throw notPem(key, file, "a readable PEM private key (its base64 body is damaged)");
    }
    return Buffer.buffer(bytes);
  }

  /**
   * Checks that a PKCS#8 private key belongs to the first certificate of a chain, by signing with one and
   * verifying with the other. Keys in the older RSA/EC formats are left for the TLS handshake to check.
   *
   * @throws ConfigException naming both keys when they do not belong together
   */
  public static void requirePair(String certKey, Path certFile, Buffer certificates, String keyKey, Path keyFile,
                                 Buffer privateKey) {
    PrivateKey secret = pkcs8(privateKey);
    if (secret == null) {
      return;
    }
    PublicKey certified = parseCertificates(certKey, certFile, certificates.getBytes()).get(0).getPublicKey();
    if (!matches(secret, certified)) {
      throw new ConfigException("config key '" + keyKey + "': " + keyFile + " is not the private key of the "
        + "certificate in '" + certKey + "' (" + certFile + "): give the key the certificate was issued for");
    }
  }

  private static byte[] read(String key, Path file) {
    try {
      return Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new ConfigException("config key '" + key + "': file " + file + " does not exist");
    } catch (AccessDeniedException e) {
      throw new ConfigException("config key '" + key + "': cannot read " + file + ": permission denied");
    } catch (IOException e) {
      throw new ConfigException("config key '" + key + "': cannot read " + file + ": " + e.getMessage());
    }
  }

  private static List<X509Certificate> parseCertificates(String key, Path file, byte[] bytes) {
    if (!new String(bytes, StandardCharsets.US_ASCII).contains("-----BEGIN CERTIFICATE-----")) {
      throw notPem(key, file, "a PEM certificate (-----BEGIN CERTIFICATE-----)");
    }
    try {
      return CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(bytes)).stream()
        .map(X509Certificate.class::cast)
        .toList();
    } catch (CertificateException e) {
      throw notPem(key, file, "readable as PEM certificates (" + e.getMessage() + ")");
    }
  }

  private static PrivateKey pkcs8(Buffer pem) {
    Matcher block = KEY_BLOCK.matcher(pem.toString(StandardCharsets.US_ASCII));
    if (!block.find() || !block.group(1).equals("PRIVATE KEY")) {
      return null;
    }
    PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(Base64.getMimeDecoder().decode(block.group(2).strip()));
    for (String algorithm : List.of("RSA", "EC", "Ed25519", "Ed448")) {
      try {
        return KeyFactory.getInstance(algorithm).generatePrivate(spec);
      } catch (GeneralSecurityException e) {
        // Not this algorithm: try the next.
      }
    }
    return null;
  }

  private static boolean matches(PrivateKey secret, PublicKey certified) {
    String algorithm = switch (secret.getAlgorithm()) {
      case "RSA" -> "SHA256withRSA";
      case "EC" -> "SHA256withECDSA";
      default -> secret.getAlgorithm();
    };
    try {
      byte[] challenge = new byte[32];
      new SecureRandom().nextBytes(challenge);
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(secret);
      signer.update(challenge);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(certified);
      verifier.update(challenge);
      return verifier.verify(signature);
    } catch (GeneralSecurityException e) {
      // Different key types (an EC key for an RSA certificate) end here.
      return false;
    }
  }

  private static ConfigException notPem(String key, Path file, String expected) {
    return new ConfigException("config key '" + key + "': " + file + " is not " + expected);
  }
}
