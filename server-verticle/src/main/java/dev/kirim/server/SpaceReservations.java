package dev.kirim.server;

import io.vertx.core.Vertx;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.core.shareddata.Shareable;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The free space promised to uploads in flight. The file system's free space counts only the bytes already
 * written, so without this several offers checked at once would each see the same room and all get
 * {@code send}, and all but one would fail later, half written, with {@code no_space}. An accepted upload
 * reserves the bytes it still has to receive; its reservation shrinks as its bytes are written (they then
 * show in the file system's count instead) and ends with the upload. One object per Vert.x, shared through a
 * local map by every server instance ({@code -instances N} share one disk); lock-free, so usable from event
 * loops and workers alike.
 */
final class SpaceReservations implements Shareable {

  private static final String MAP = "kirim.server.reservations";
  private static final String KEY = "reservations";

  // Every byte ever promised, less what releases gave back unwritten: what is reserved now plus what reserved
  // uploads have written since the server started. Writing moves bytes from reserved to written and leaves it
  // as it is, so one counter decides, in one compare-and-set (see tryReserve).
  private final AtomicLong committed = new AtomicLong();
  // The written part of it: promised bytes that are in their files.
  private final AtomicLong written = new AtomicLong();
  private final AtomicInteger uploads = new AtomicInteger();
  private final AtomicLong changes = new AtomicLong();

  /** @return the reservations of {@code vertx}'s servers */
  static SpaceReservations of(Vertx vertx) {
    LocalMap<String, SpaceReservations> shared = vertx.sharedData().getLocalMap(MAP);
    SpaceReservations fresh = new SpaceReservations();
    SpaceReservations existing = shared.putIfAbsent(KEY, fresh);
    return existing == null ? fresh : existing;
  }

  /**
   * Reserves {@code bytes} if they fit in the free space next to what is reserved already: checked and taken in
   * one atomic step, so that of two offers racing for the last room exactly one gets it.
   * <p>
   * The free space was measured a moment ago; since then reserved uploads may have written bytes, which the
   * measurement does not show and which have left their reservations. What is free now is therefore
   * {@code available - (written - writtenBefore) - reserved}, that is {@code available + writtenBefore -
   * committed}: a function of the one counter the compare-and-set guards. (Deciding on {@code reserved} and
   * {@code written} read apart let a reservation slip through between a write and another reservation.)
   *
   * @param available     the free space measured on the storage, less the {@code minFreeBytes} reserve
   * @param writtenBefore {@link #writtenBytes()} read just before that measurement
   * @return the reservation, or {@code null} when the bytes do not fit
   */
  Reservation tryReserve(long bytes, long available, long writtenBefore) {
    while (true) {
      long now = committed.get();
      if (available + writtenBefore - now < bytes) {
        return null;
      }
      if (committed.compareAndSet(now, now + bytes)) {
        uploads.incrementAndGet();
        changes.incrementAndGet();
        return new Reservation(bytes);
      }
    }
  }

  /** @return what {@link #tryReserve} would find free for a new reservation now (a dry run's answer) */
  long freeForReservation(long available, long writtenBefore) {
    return available + writtenBefore - committed.get();
  }

  /** @return bytes promised to uploads in flight and not yet written (for reports: read apart, may lag) */
  long reservedBytes() {
    return Math.max(0, committed.get() - written.get());
  }

  /** @return bytes written by reserved uploads since the server started: only differences mean something */
  long writtenBytes() {
    return written.get();
  }

  /** @return uploads in flight holding a reservation */
  int uploads() {
    return uploads.get();
  }

  /** @return a number that changes whenever a reservation is taken or ends: the registry rewrites on it */
  long changes() {
    return changes.get();
  }

  /** One upload's share; {@link #release()} more than once is harmless. */
  final class Reservation {
    private final AtomicLong left;

    private Reservation(long bytes) {
      this.left = new AtomicLong(bytes);
    }

    /** {@code bytes} of the upload were written: they now count in the file system's free space. */
    void written(long bytes) {
      long before = left.getAndUpdate(n -> n <= 0 ? n : Math.max(0, n - bytes));
      if (before > 0) {
        written.addAndGet(Math.min(before, bytes));
      }
    }

    void release() {
      long before = left.getAndSet(-1);
      if (before >= 0) {
        committed.addAndGet(-before);
        uploads.decrementAndGet();
        changes.incrementAndGet();
      }
    }
  }
}
