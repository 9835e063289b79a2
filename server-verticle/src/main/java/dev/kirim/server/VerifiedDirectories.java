package dev.kirim.server;

import java.nio.file.Path;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Directories of the storage recently seen to be real directories (not symbolic links), with every ancestor
 * up to the storage root. Checking each level of a name with {@code lstat} for every offer and every publish
 * was a tenth of the server's time for a burst of small files; within {@link #TTL_MS} of a check a directory
 * is taken as still good. The window is short and any failed publish forgets everything, so a directory
 * swapped for a link on the server's own disk is noticed at the next check after at most that long — the
 * same kind of race a check made just before the write always had, made a little wider. Thread-safe.
 */
final class VerifiedDirectories {

  static final long TTL_MS = 1000;
  /** Enough for the directories of a large tree; beyond it everything is forgotten and re-learnt. */
  static final int MAX_ENTRIES = 65_536;

  // Directory → when its verification (and its ancestors') stops counting, in clock nanoseconds.
  private final ConcurrentMap<Path, Long> expiries = new ConcurrentHashMap<>();
  private final LongSupplier clock;

  VerifiedDirectories() {
    this(System::nanoTime);
  }

  /** @param clock nanoseconds, as {@link System#nanoTime()} (tests pass their own) */
  VerifiedDirectories(LongSupplier clock) {
    this.clock = clock;
  }

  /** @return whether {@code directory} and its ancestors were verified within the last {@link #TTL_MS} */
  boolean verified(Path directory) {
    Long expiry = expiries.get(directory);
    if (expiry == null) {
      return false;
    }
    if (clock.getAsLong() - expiry > 0) {
      expiries.remove(directory, expiry);
      return false;
    }
    return true;
  }

  /**
   * Remembers {@code directory} and its ancestors below {@code root}, just verified (up to the first one still
   * remembered, whose earlier verification bounds how long the chain counts).
   */
  void remember(Path directory, Path root) {
    if (expiries.size() >= MAX_ENTRIES) {
      expiries.clear();
    }
    long expiry = clock.getAsLong() + TimeUnit.MILLISECONDS.toNanos(TTL_MS);
    Path path = directory;
    while (path != null && path.startsWith(root) && !path.equals(root)) {
      Long known = expiries.get(path);
      if (known != null && clock.getAsLong() - known < 0) {
        expiry = known - expiry < 0 ? known : expiry;
        break;
      }
      path = path.getParent();
    }
    for (path = directory; path != null && path.startsWith(root) && !path.equals(root); path = path.getParent()) {
      Long known = expiries.get(path);
      if (known != null && clock.getAsLong() - known < 0 && path != directory) {
        break;
      }
      expiries.put(path, expiry);
    }
  }

  /** After a failure: every directory is checked again. */
  void forget() {
    expiries.clear();
  }
}
