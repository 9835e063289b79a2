package dev.kirim.server;

import io.vertx.core.Vertx;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.core.shareddata.Shareable;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

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

  private final AtomicLong reserved = new AtomicLong();
  private final AtomicInteger uploads = new AtomicInteger();
  private final AtomicLong changes = new AtomicLong();
  // Bytes that moved from promised to written, ever: see OfferCheck.FreeSpace.
  private final AtomicLong written = new AtomicLong();

  /** @return the reservations of {@code vertx}'s servers */
  static SpaceReservations of(Vertx vertx) {
    LocalMap<String, SpaceReservations> shared = vertx.sharedData().getLocalMap(MAP);
    SpaceReservations fresh = new SpaceReservations();
    SpaceReservations existing = shared.putIfAbsent(KEY, fresh);
    return existing == null ? fresh : existing;
  }

  /**
   * Reserves {@code bytes} if they fit in {@code available} next to what is reserved already: checked and
   * taken in one atomic step, so that of two offers racing for the last room exactly one gets it.
   *
   * @param available the free space on the storage, less the {@code minFreeBytes} reserve; asked after each look
   *                  at what is reserved (see {@link #reservedThenAvailable})
   * @return the reservation, or {@code null} when the bytes do not fit
   */
  Reservation tryReserve(long bytes, LongSupplier available) {
    while (true) {
      long now = reserved.get();
      if (available.getAsLong() - now < bytes) {
        return null;
      }
      if (reserved.compareAndSet(now, now + bytes)) {
        uploads.incrementAndGet();
        changes.incrementAndGet();
        return new Reservation(bytes);
      }
    }
  }

  /** @return bytes promised to uploads in flight and not yet written */
  long reservedBytes() {
    return reserved.get();
  }

  /**
   * @return {@code available} (asked after the reserved bytes are read) less what is reserved: written bytes
   *   leave the reservations only after they count as {@link #writtenBytes written}, so a free space that takes
   *   written bytes off, asked in this order, sees every byte at least once
   */
  long reservedThenAvailable(LongSupplier available) {
    long now = reserved.get();
    return available.getAsLong() - now;
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
        long moved = Math.min(before, bytes);
        // Counted as written before it leaves the reservation: a concurrent decision may see it in both (too
        // little free, for a moment), never in neither.
        written.addAndGet(moved);
        reserved.addAndGet(-moved);
      }
    }

    void release() {
      long before = left.getAndSet(-1);
      if (before >= 0) {
        reserved.addAndGet(-before);
        uploads.decrementAndGet();
        changes.incrementAndGet();
      }
    }
  }
}
