package dev.kirim.tls;

import dev.kirim.config.ConfigException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.PemKeyCertOptions;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.X509KeyManager;

/**
 * Reads the PEM files a {@code tls} key names, and checks them before Vert.x sees them, so that a wrong file
 * is one line naming the key and the file ({@link ConfigException}) instead of a handshake that fails later.
 * Certificates are read with the JDK's {@link CertificateFactory}, keys with Vert.x's own public loader
 * ({@link PemKeyCertOptions}), which takes every form Vert.x itself takes.
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
   * @param certificates what {@link #certificates} read from {@code file}
   * @return when the first certificate (the holder's own) stops being valid
   */
  public static Instant expiry(String key, Path file, Buffer certificates) {
    return parseCertificates(key, file, certificates.getBytes()).get(0).getNotAfter().toInstant();
  }

  /**
   * @return the file's bytes, holding one unencrypted private key in PEM form (PKCS#8 {@code PRIVATE KEY},
   *   or the older {@code RSA PRIVATE KEY} / {@code EC PRIVATE KEY})
   * @throws ConfigException when the file is missing, unreadable, not a PEM private key, or encrypted
   */
  public static Buffer privateKey(String key, Path file) {
    byte[] bytes = read(key, file);
    String text = new String(bytes, StandardCharsets.US_ASCII);
    Matcher block = KEY_BLOCK.matcher(text);
    // The older forms encrypt with headers in the block (Proc-Type: 4,ENCRYPTED), which the pattern does not take.
    boolean olderEncrypted = text.contains("Proc-Type: 4,ENCRYPTED");
    if (!block.find() && !olderEncrypted) {
      throw notPem(key, file, "a PEM private key (-----BEGIN PRIVATE KEY-----)");
    }
    if (olderEncrypted || block.group(1).startsWith("ENCRYPTED")) {
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
   * Checks that a private key belongs to the first certificate of a chain, by signing with one and verifying with
   * the other. The key is taken as Vert.x loads it (PKCS#8, or the older RSA and EC forms), through its own public
   * loader: the check sees exactly the key every handshake would use, without a DER parser of kirim's own.
   *
   * @throws ConfigException naming both keys when they do not belong together, or when Vert.x cannot load the key
   *   with the certificate (a damaged key, a key of another kind than the certificate's)
   */
  public static void requirePair(String certKey, Path certFile, Buffer certificates, String keyKey, Path keyFile,
                                 Buffer privateKey) {
    PrivateKey secret = loadedKey(certKey, certFile, certificates, keyKey, keyFile, privateKey);
    if (secret == null) {
      return;
    }
    PublicKey certified = parseCertificates(certKey, certFile, certificates.getBytes()).get(0).getPublicKey();
    if (!matches(secret, certified)) {
      throw notTheKey(certKey, certFile, keyKey, keyFile);
    }
  }

  /** @return the RSA or EC key Vert.x loads from {@code privateKey}, or {@code null} for a key of another kind */
  private static PrivateKey loadedKey(String certKey, Path certFile, Buffer certificates, String keyKey, Path keyFile,
                                      Buffer privateKey) {
    KeyManagerFactory factory;
    try {
      // Values, not paths: Vert.x reads no file, so it needs no Vert.x instance.
      factory = new PemKeyCertOptions().setCertValue(certificates).setKeyValue(privateKey).getKeyManagerFactory(null);
    } catch (Exception e) {
      // "private key algorithm does not match algorithm of public key": an EC key for an RSA certificate.
      if (String.valueOf(e.getMessage()).contains("does not match")) {
        throw notTheKey(certKey, certFile, keyKey, keyFile);
      }
      throw notPem(keyKey, keyFile, "an RSA or EC private key kirim can use (" + e.getMessage() + ")");
    }
    for (KeyManager manager : factory.getKeyManagers()) {
      if (manager instanceof X509KeyManager keys) {
        for (String type : List.of("RSA", "EC")) {
          String[] aliases = keys.getServerAliases(type, null);
          if (aliases != null && aliases.length > 0) {
            return keys.getPrivateKey(aliases[0]);
          }
        }
      }
    }
    return null;
  }

  private static ConfigException notTheKey(String certKey, Path certFile, String keyKey, Path keyFile) {
    return new ConfigException("config key '" + keyKey + "': " + keyFile + " is not the private key of the "
      + "certificate in '" + certKey + "' (" + certFile + "): give the key the certificate was issued for");
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
