package dev.kirim.server;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class VerifiedDirectoriesTest {

  private final AtomicLong now = new AtomicLong(1_000_000);
  private final VerifiedDirectories verified = new VerifiedDirectories(now::get);
  private final Path root = Path.of("/storage");

  @Test
  void aDirectoryAndItsAncestorsCountUntilTheirCheckIsTooOld() {
    verified.remember(root.resolve("a/b/c"), root);

    assertTrue(verified.verified(root.resolve("a/b/c")));
    assertTrue(verified.verified(root.resolve("a/b")));
    assertTrue(verified.verified(root.resolve("a")));
    assertFalse(verified.verified(root), "the root itself is the server's own, never remembered");
    assertFalse(verified.verified(root.resolve("a/b/other")));

    advance(VerifiedDirectories.TTL_MS + 1);
    assertFalse(verified.verified(root.resolve("a/b/c")));
    assertFalse(verified.verified(root.resolve("a")));
  }

  @Test
  void aChainCountsOnlyAsLongAsItsOldestCheck() {
    verified.remember(root.resolve("a"), root);
    advance(VerifiedDirectories.TTL_MS / 2);
    // Only b was looked at now; a counts from its own, older check, and b with it.
    verified.remember(root.resolve("a/b"), root);
    advance(VerifiedDirectories.TTL_MS / 2 + 1);

    assertFalse(verified.verified(root.resolve("a")));
    assertFalse(verified.verified(root.resolve("a/b")), "b must not outlive the check of a");
  }

  @Test
  void aFailureForgetsEverything() {
    verified.remember(root.resolve("a/b"), root);
    verified.forget();
    assertFalse(verified.verified(root.resolve("a/b")));
    assertFalse(verified.verified(root.resolve("a")));
  }

  private void advance(long millis) {
    now.addAndGet(TimeUnit.MILLISECONDS.toNanos(millis));
  }
}
