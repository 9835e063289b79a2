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

  static void fsync(Path directory) throws IOException {
    try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
      channel.force(true);
    }
  }

  /** Returns once {@code directory} was synced by a sync that began after this call. */
  void sync(Path directory) throws IOException {
    DirectorySync sync = directories.computeIfAbsent(directory, dir -> new DirectorySync(dir, syncer));
    if (sync.sync()) {
      // Idle: forget it, so that the map holds only the directories being synced. A request that raced in
      // meanwhile has its own entry or this one; either way it gets a sync that began after it asked.
      directories.remove(directory, sync);
    }
  }

  private static final class DirectorySync {
    private final Path directory;
    private final Syncer syncer;
    // Requests numbered in arrival order; a sync covers every request numbered up to where it began.
    private long requested;
    private long covered;
    private boolean running;

    DirectorySync(Path directory, Syncer syncer) {
      this.directory = directory;
      this.syncer = syncer;
    }

    /** @return true when nothing else is asked of this directory now */
    boolean sync() throws IOException {
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
          return !running && covered == requested;
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
      synchronized (this) {
        return !running && covered == requested;
      }
    }
  }
}
