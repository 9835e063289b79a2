package dev.kirim.server;

import dev.kirim.protocol.ChecksumAlgorithm;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A streamed body on its own, on a real Vert.x and real files: the bytes land in order whatever the batching,
 * and a durable body is synced as it arrives (early syncs), one that is not durable never before the end.
 */
@ExtendWith(VertxExtension.class)
class FileBodyTest {

  private static final int CHUNK_BYTES = 64 * 1024;
  private static final int MIB = 1024 * 1024;

  @TempDir
  Path storageRoot;

  // What the body said it put into the file: the upload's space reservation shrinks by exactly that.
  private final AtomicLong onDisk = new AtomicLong();

  @Test
  void aDurableBodyIsSyncedWhileItArrives(Vertx vertx, VertxTestContext testContext) {
    byte[] content = content(9 * MIB + 123);
    receive(vertx, "durable.bin", content, MIB)
      .onComplete(testContext.succeeding(body -> testContext.verify(() -> {
        assertArrayEquals(content, Files.readAllBytes(storageRoot.resolve(".durable.bin.partial")));
        assertEquals(content.length, onDisk.get());
        // One early sync per MiB written, but never two at once: at least one, at most nine.
        assertTrue(body.earlySyncs() >= 1 && body.earlySyncs() <= 9, body.earlySyncs() + " early syncs");
        testContext.completeNow();
      })));
  }

  @Test
  void aBodyThatIsNotDurableIsNotSyncedEarly(Vertx vertx, VertxTestContext testContext) {
    byte[] content = content(3 * MIB + 5);
    receive(vertx, "plain.bin", content, 0)
      .onComplete(testContext.succeeding(body -> testContext.verify(() -> {
        assertArrayEquals(content, Files.readAllBytes(storageRoot.resolve(".plain.bin.partial")));
        assertEquals(content.length, onDisk.get());
        assertEquals(0, body.earlySyncs());
        testContext.completeNow();
      })));
  }

  /** Streams {@code content} into a new body in 64 KiB chunks, minding its backpressure, then persists it. */
  private Future<FileBody> receive(Vertx vertx, String name, byte[] content, long writeBackBytes) {
    StorageDirectory storage = new StorageDirectory(vertx, storageRoot, writeBackBytes > 0);
    PartialFiles partials = new PartialFiles(vertx, storage);
    Path target = storageRoot.resolve(name);
    PartialFiles.Partial partial = new PartialFiles.Partial(storageRoot.resolve("." + name + ".partial"), 0,
      ChecksumAlgorithm.CRC32C.start(), null);
    Promise<FileBody> received = Promise.promise();
    vertx.runOnContext(v -> {
      FileBody body = new FileBody(vertx, storage, partials, target, partial, writeBackBytes, onDisk::addAndGet);
      body.open()
        .compose(opened -> {
          Promise<Void> written = Promise.promise();
          writeFrom(body, content, 0, written);
          return written.future();
        })
        .compose(written -> body.finish())
        .compose(finished -> vertx.<Void>executeBlocking(() -> {
          body.persist(writeBackBytes > 0, path -> {
          });
          return null;
        }))
        .map(body)
        .onComplete(received);
    });
    return received.future();
  }

  private static void writeFrom(FileBody body, byte[] content, int from, Promise<Void> written) {
    int at = from;
    while (at < content.length) {
      int end = Math.min(content.length, at + CHUNK_BYTES);
      boolean full = body.write(Buffer.buffer(Arrays.copyOfRange(content, at, end)));
      at = end;
      if (full) {
        int next = at;
        body.drainHandler(v -> writeFrom(body, content, next, written));
        return;
      }
    }
    written.complete();
  }

  private static byte[] content(int size) {
    byte[] bytes = new byte[size];
    new Random(size).nextBytes(bytes);
    return bytes;
  }
}
