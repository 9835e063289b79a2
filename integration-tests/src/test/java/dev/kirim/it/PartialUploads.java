package dev.kirim.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

import static dev.kirim.testkit.TestFiles.size;
import static org.junit.jupiter.api.Assertions.fail;

/** The server's partial file of an upload in progress, as jar tests that stop a client mid-body wait for it. */
final class PartialUploads {

  private PartialUploads() {
  }

  /**
   * Polls {@code storage} (there is no other event to wait for) until the partial file of {@code name}
   * ({@code .name.kirim-part}, or {@code .name.<key>.kirim-part}) holds bytes; fails if {@code client} ends
   * first or {@code wait} passes.
   */
  static Path awaitWithBytes(Path storage, String name, KirimProcess client, Duration wait) {
    long deadline = System.nanoTime() + wait.toNanos();
    while (System.nanoTime() < deadline) {
      Optional<Path> partial = find(storage, name);
      if (partial.isPresent() && size(partial.get()) > 0) {
        return partial.get();
      }
      if (!client.isAlive()) {
        fail("the client ended before its partial upload was seen on the server\n" + client.describe());
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
    }
    return fail("no partial upload of " + name + " with bytes in " + storage + " within " + wait.toSeconds()
      + " s\n" + client.describe());
  }

  private static Optional<Path> find(Path storage, String name) {
    if (!Files.isDirectory(storage)) {
      return Optional.empty();
    }
    try (Stream<Path> files = Files.list(storage)) {
      return files.filter(p -> {
        String file = p.getFileName().toString();
        return file.startsWith("." + name + ".") && file.endsWith(".kirim-part");
      }).findFirst();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
