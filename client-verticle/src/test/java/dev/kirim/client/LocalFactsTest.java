package dev.kirim.client;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The checksum a first send learned is reused only while the file is unchanged. */
@ExtendWith(VertxExtension.class)
class LocalFactsTest {

  @TempDir
  Path dir;

  @Test
  void aLearnedChecksumIsReusedWhileTheFileIsUnchanged(Vertx vertx) throws Exception {
    Path file = Files.writeString(dir.resolve("a.txt"), "hello");
    LocalFacts facts = new LocalFacts(vertx);

    LocalFacts.Facts first = await(facts.of(file));
    assertEquals(5, first.size());
    assertNull(first.checksum(), "nothing has read the file yet");

    facts.learned(file, first.withChecksum("crc32c:12345678"));
    assertEquals("crc32c:12345678", await(facts.of(file)).checksum());

    Files.writeString(file, "hello, changed");
    Files.setLastModifiedTime(file, FileTime.fromMillis(first.mtime() + 5_000));
    LocalFacts.Facts changed = await(facts.of(file));
    assertEquals(14, changed.size());
    assertNull(changed.checksum(), "a changed file must be read again");
  }

  @Test
  void forgetDropsTheChecksum(Vertx vertx) throws Exception {
    Path file = Files.writeString(dir.resolve("b.txt"), "data");
    LocalFacts facts = new LocalFacts(vertx);
    facts.learned(file, await(facts.of(file)).withChecksum("crc32c:00000001"));
    facts.forget(file);
    assertNull(await(facts.of(file)).checksum());
  }

  @Test
  void aMissingFileFailsNamingIt(Vertx vertx) {
    Path missing = dir.resolve("missing.txt");
    Throwable failure = new LocalFacts(vertx).of(missing).toCompletionStage().toCompletableFuture()
      .handle((ok, error) -> error).join();
    assertTrue(String.valueOf(failure.getMessage()).contains(missing + " does not exist"), String.valueOf(failure));
  }

  private static <T> T await(io.vertx.core.Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
