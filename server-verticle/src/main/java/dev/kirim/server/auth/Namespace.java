package dev.kirim.server.auth;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Where one connection's names live: for an authenticated client, its {@code dir} under {@code storageDir} and
 * its quota; for a server without authentication, the storage directory itself ({@link #OPEN}). A client's
 * names are resolved inside its directory, so a name that would leave it breaks the name rules
 * ({@code bad_name}) before any path is built; what it is told back is relative to its directory again.
 * <p>
 * Quota reservations are held per claimed target (one upload per target at a time); they turn into usage when
 * the file is published and are given back otherwise, to the account they were taken from. Each reservation
 * goes to the account the client's directory has at that moment ({@link QuotaAccounts}), so that a reload of the
 * tokens file applies to this connection too. Mostly used on the connection's event loop, but the puts of a
 * connection are decided on worker threads: the books are synchronized.
 */
public final class Namespace {

  /** No authentication: names resolve in the storage directory, no quota, no client name. */
  public static final Namespace OPEN = new Namespace(null, null);

  private final ClientEntry client;
  // The directory's account now, null while it has none; null for OPEN.
  private final Supplier<Quota> account;
  // The account last seen: kept once the client has left the tokens file, until this connection ends.
  private Quota quota;
  private final Map<Object, Reservation> reserved = new HashMap<>();

  Namespace(ClientEntry client, Supplier<Quota> account) {
    this.client = client;
    this.account = account;
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
    Quota now = account == null ? null : account.get();
    if (now != null) {
      quota = now;
    }
    if (quota == null) {
      return null;
    }
    String refusal = quota.tryReserve(size);
    if (refusal == null && dryRun) {
      quota.release(size);
    } else if (refusal == null) {
      reserved.put(target, new Reservation(quota, size));
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
      reservation.quota.release(reservation.size);
    }
  }

  private static final class Reservation {
    // Given back where it was taken: the client's account may have changed since.
    private final Quota quota;
    private final long size;
    private boolean kept;

    private Reservation(Quota quota, long size) {
      this.quota = quota;
      this.size = size;
    }
  }
}
