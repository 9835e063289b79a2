package dev.kirim.server.auth;

import javax.security.auth.x500.X500Principal;
import java.util.Objects;

/**
 * One client of the tokens file: its name, the SHA-256 of its token (never the token), the directory under
 * {@code storageDir} it is confined to, its optional quotas, and optionally the subject of a client certificate
 * that identifies it under mutual TLS instead of a token.
 *
 * @param tokenSha256 32 bytes, or {@code null} when the client authenticates by certificate only
 * @param dir         a relative name ({@code /}-separated) under {@code storageDir}
 * @param maxBytes    the most bytes its namespace may hold, {@code null} for no limit
 * @param maxFiles    the most files its namespace may hold, {@code null} for no limit
 * @param certSubject the certificate subject mapped to it, {@code null} for none
 */
public record ClientEntry(String name, byte[] tokenSha256, String dir, Long maxBytes, Long maxFiles,
                          X500Principal certSubject) {

  public ClientEntry {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(dir, "dir");
  }

  /** @return whether the namespace has a quota to count against */
  public boolean hasQuota() {
    return maxBytes != null || maxFiles != null;
  }
}
