package dev.kirim.server;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Group commit for directory syncs. Every durable publish must sync its directory after the link, and a
 * burst of small files into one directory asked for one sync each, side by side. Here a sync of a directory
 * answers every request made before it started: publishes that ask while one runs wait for the next, which
 * one of them runs for all. A publish still never returns before a directory sync that began after its link.
 * Blocking; called from worker threads.
 */
final class DirectorySyncs {

  /** What a sync does: {@link #fsync} outside of tests. */
  interface Syncer {
    void sync(Path directory) throws IOException;
  }

  private final ConcurrentMap<Path, DirectorySync> directories = new ConcurrentHashMap<>();
  private final Syncer syncer;

  DirectorySyncs() {
    this(DirectorySyncs::fsync);
  }

  DirectorySyncs(Syncer syncer) {
    this.syncer = syncer;
  }

  /** @return directories with a sync asked for or running (for tests: it must come back to 0) */
  int tracked() {
    return directories.size();
  }

  static void fsync(Path directory) throws IOException {
    try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
      channel.force(true);
    }
  }

  /** Returns once {@code directory} was synced by a sync that began after this call. */
  void sync(Path directory) throws IOException {
    DirectorySync sync = directories.compute(directory, (dir, known) -> {
      DirectorySync entry = known != null ? known : new DirectorySync(dir, syncer);
      entry.users++;
      return entry;
    });
    try {
      sync.sync();
    } finally {
      // The last user forgets the entry, so that the map holds only directories being synced, whatever
      // became of the sync.
      directories.computeIfPresent(directory, (dir, entry) -> --entry.users == 0 ? null : entry);
    }
  }

  private static final class DirectorySync {
    private final Path directory;
    private final Syncer syncer;
    // Callers between their entry and their exit; changed only inside the map's compute functions.
    private int users;
    // Requests numbered in arrival order; a sync covers every request numbered up to where it began.
    private long requested;
    private long covered;
    private boolean running;

    DirectorySync(Path directory, Syncer syncer) {
      this.directory = directory;
      this.syncer = syncer;
    }

    void sync() throws IOException {
      long ticket;
      long upTo;
      synchronized (this) {
        ticket = ++requested;
        while (running && covered < ticket) {
          try {
            wait();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting to sync " + directory, e);
          }
        }
        if (covered >= ticket) {
          return;
        }
        running = true;
        upTo = requested;
      }
      boolean synced = false;
      try {
        syncer.sync(directory);
        synced = true;
      } finally {
        synchronized (this) {
          running = false;
          if (synced) {
            covered = Math.max(covered, upTo);
          }
          notifyAll();
        }
      }
    }
  }
}
