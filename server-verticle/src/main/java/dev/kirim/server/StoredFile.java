package dev.kirim.server;

import java.time.Instant;
import java.util.Objects;

/**
 * A file a server has just published (verified, synced, under its final name): what
 * {@link KirimServer#uploadHandler} is told.
 *
 * @param name     the name the client offered
 * @param storedAs the name it is stored under (differs under {@code onExisting: rename})
 * @param bytes    its size
 * @param checksum {@code algorithm:hex}
 * @param serverId the server's id
 * @param peer     the client's address, {@code host:port}
 * @param clientId the id the client introduced itself with
 * @param storedAt when it was published
 */
public record StoredFile(String name, String storedAs, long bytes, String checksum, String serverId, String peer,
                         String clientId, Instant storedAt) {

  public StoredFile {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(storedAs, "storedAs");
    Objects.requireNonNull(storedAt, "storedAt");
  }
}
