package dev.kirim.server;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The storage directory's own work, on real directories: what it creates for a name, and what it syncs. */
@ExtendWith(VertxExtension.class)
class StorageDirectoryTest {

  @TempDir
  Path root;

  private final List<Path> synced = new CopyOnWriteArrayList<>();

  /** Syncs for real, and notes which directory. */
  private StorageDirectory storage(Vertx vertx, boolean fsync) throws IOException {
    return new StorageDirectory(vertx, root.toRealPath(), fsync, new DirectorySyncs(directory -> {
      DirectorySyncs.fsync(directory);
      synced.add(directory);
    }));
  }

  @Test
  void durableDirectoriesForANameAreSyncedInTheirParents(Vertx vertx) throws IOException {
    Path real = root.toRealPath();
    Files.createDirectories(real.resolve("x"));

    storage(vertx, true).createParentsNow(real.resolve("x/y/z/file.bin"));

    assertTrue(Files.isDirectory(real.resolve("x/y/z")));
    // y's entry is in x, z's in y; x existed already, and z's own entry for the file is the publish's to sync.
    assertEquals(List.of(real.resolve("x/y"), real.resolve("x")), synced);
  }

  @Test
  void withoutFsyncNothingIsSynced(Vertx vertx) throws IOException {
    Path real = root.toRealPath();

    storage(vertx, false).createParentsNow(real.resolve("a/b/file.bin"));

    assertTrue(Files.isDirectory(real.resolve("a/b")));
    assertEquals(List.of(), synced);
  }
}
