package dev.kirim.server.auth;

import java.util.HashMap;
import java.util.Map;

/**
 * Where one connection's names live: for an authenticated client, its {@code dir} under {@code storageDir} and
 * its quota; for a server without authentication, the storage directory itself ({@link #OPEN}). A client's
 * names are resolved inside its directory, so a name that would leave it breaks the name rules
 * ({@code bad_name}) before any path is built; what it is told back is relative to its directory again.
 * <p>
 * Quota reservations are held per claimed target (one upload per target at a time); they turn into usage when
 * the file is published and are given back otherwise. Mostly used on the connection's event loop, but the puts
 * of a connection are decided on worker threads: the books are synchronized.
 */
public final class Namespace {

  /** No authentication: names resolve in the storage directory, no quota, no client name. */
  public static final Namespace OPEN = new Namespace(null, null);

  private final ClientEntry client;
  private final Quota quota;
  private final Map<Object, Reservation> reserved = new HashMap<>();

  Namespace(ClientEntry client, Quota quota) {
    this.client = client;
    this.quota = quota;
  }

  /** @return the authenticated client's name, {@code null} without authentication */
  public String clientName() {
    return client == null ? null : client.name();
  }

  /** @return the name relative to the storage directory that the client's {@code name} stands for */
  public String storedName(String name) {
    return client == null ? name : client.dir() + "/" + name;
  }

  /** @return the client's name for a name relative to the storage directory ({@link #storedName} undone) */
  public String clientName(String storedName) {
    String prefix = client == null ? "" : client.dir() + "/";
    return storedName.startsWith(prefix) ? storedName.substring(prefix.length()) : storedName;
  }

  /**
   * Reserves room for an upload of {@code size} bytes to {@code target}, or only checks that there is room
   * ({@code dryRun}).
   *
   * @return {@code null} when there is room, else why not
   */
  public synchronized String reserve(Object target, long size, boolean dryRun) {
    if (quota == null) {
      return null;
    }
    String refusal = quota.tryReserve(size);
    if (refusal == null && dryRun) {
      quota.release(size);
    } else if (refusal == null) {
      reserved.put(target, new Reservation(size));
    }
    return refusal == null ? null : "client '" + client.name() + "': " + refusal;
  }

  /** The upload to {@code target} was published: its reservation is now usage. */
  public synchronized void published(Object target) {
    Reservation reservation = reserved.get(target);
    if (reservation != null) {
      reservation.kept = true;
    }
  }

  /** The upload to {@code target} is over: a reservation not {@link #published} is given back. */
  public synchronized void ended(Object target) {
    Reservation reservation = reserved.remove(target);
    if (reservation != null && !reservation.kept) {
      quota.release(reservation.size);
    }
  }

  private static final class Reservation {
    private final long size;
    private boolean kept;

    private Reservation(long size) {
      this.size = size;
    }
  }
}
