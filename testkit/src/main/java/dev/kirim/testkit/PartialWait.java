package dev.kirim.testkit;

import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Waits, without polling on a timer, until a server holds a partial upload of at least some size: a client that
 * closes right after writing a body cannot know how much of it the server stored, the storage can tell.
 */
public final class PartialWait {

  private static final String PARTIAL_SUFFIX = ".kirim-part";

  private PartialWait() {
  }

  /**
   * Every directory under {@code storage} is watched (inotify on Linux), new ones as they appear, and the
   * partial files are looked at again on each event; fails after {@link WireClient#REPLY_TIMEOUT_SECONDS}.
   *
   * @return the partial file
   */
  public static Future<Path> atLeast(Vertx vertx, Path storage, long minBytes) {
    return vertx.executeBlocking(() -> {
      try (WatchService watcher = FileSystems.getDefault().newWatchService()) {
        Set<Path> watched = new HashSet<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WireClient.REPLY_TIMEOUT_SECONDS);
        while (true) {
          // Register before looking, so that nothing written after the look goes unnoticed; look again after
          // each new registration, since a directory may appear before its parent is watched.
          boolean registered;
          do {
            registered = false;
            for (Path directory : paths(storage, true)) {
              if (watched.add(directory)) {
                directory.register(watcher, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY);
                registered = true;
              }
            }
          } while (registered);
          for (Path partial : paths(storage, false)) {
            if (partial.getFileName().toString().endsWith(PARTIAL_SUFFIX) && sizeIfThere(partial) >= minBytes) {
              return partial;
            }
          }
          long left = deadline - System.nanoTime();
          WireClient.check(left > 0, "no partial file of at least " + minBytes + " bytes appeared in " + storage);
          WatchKey key = watcher.poll(left, TimeUnit.NANOSECONDS);
          if (key != null) {
            key.pollEvents();
            key.reset();
          }
        }
      }
    });
  }

  private static List<Path> paths(Path root, boolean directories) {
    if (!Files.isDirectory(root)) {
      return List.of();
    }
    return Trees.walkLive(root).stream()
      .filter(path -> directories ? Files.isDirectory(path) : Files.isRegularFile(path))
      .toList();
  }

  /** @return the file's size, -1 when it is gone (a partial published or deleted since it was listed) */
  private static long sizeIfThere(Path file) throws IOException {
    try {
      return Files.size(file);
    } catch (NoSuchFileException e) {
      return -1;
    }
  }
}
