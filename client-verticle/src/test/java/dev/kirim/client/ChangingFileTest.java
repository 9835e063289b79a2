package dev.kirim.client;

import dev.kirim.protocol.ErrorCode;
import dev.kirim.protocol.Message;
import dev.kirim.testkit.Checksums;
import dev.kirim.testkit.ScriptedServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.kirim.testkit.Await.await;
import static dev.kirim.testkit.TestFiles.writeRandom;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A local file that changes while the client sends it is never committed: one that grows (a log being
 * written) or is rewritten in place is cancelled after its body and tried again; one that is shorter than
 * offered fails with {@code file_changed} at once, where a short zero-copy send would have left the server
 * waiting for bytes.
 */
class ChangingFileTest extends PushTestBase {

  @TempDir
  Path home;

  private PushReport push(ScriptedServer server, int attempts, String name) {
    return await(pushAsync(quickRetries().setRetryAttempts(attempts),
      job(home, List.of(name)).setTargets(List.of(target(server.port())))), 20);
  }

  @Test
  void aFileThatGrowsWhileSentIsCancelledAndRetriedNeverCommitted() {
    writeRandom(home.resolve("app.log"), 32 * 1024 * 1024, 5);
    ScriptedServer server = startScripted((connection, message) -> {
      if (message instanceof Message.Data) {
        append(home.resolve("app.log"), "one more line\n");
      }
      ScriptedServer.OBLIGING.handle(connection, message);
    });

    FileResult result = result(push(server, 2, "app.log"), "app.log");

    assertEquals(FileStatus.FAILED, result.status(), result::toString);
    assertEquals("file_changed", result.errorCode(), result::toString);
    assertEquals(2, result.attempts(), result::toString);
    assertTrue(result.errorMessage().contains("changed while being sent"), result::toString);
    // Each try's body ended in a cancel, never a commit: the server never had a reason to publish.
    assertEquals(List.of(), server.received.stream().filter(line -> line.endsWith("commit")).toList());
    assertEquals(2, server.received.stream().filter(line -> line.endsWith("cancel")).count(), server.received::toString);
  }

  @Test
  void aFileRewrittenInPlaceWithTheSameSizeIsCancelled() throws IOException {
    Path file = home.resolve("same-size.bin");
    writeRandom(file, 8 * 1024 * 1024, 8);
    java.nio.file.attribute.FileTime before = Files.getLastModifiedTime(file);
    AtomicInteger tries = new AtomicInteger();
    ScriptedServer server = startScripted((connection, message) -> {
      if (message instanceof Message.Data && tries.incrementAndGet() == 1) {
        // Rewritten in place: other bytes, same size, a later mtime.
        writeRandom(file, 8 * 1024 * 1024, 9);
        setMtime(file, before.toMillis() + 2_000);
      }
      ScriptedServer.OBLIGING.handle(connection, message);
    });

    FileResult result = result(push(server, 2, "same-size.bin"), "same-size.bin");

    // The first try is cancelled; the second sends the new version whole and commits it.
    assertEquals(FileStatus.SENT, result.status(), result::toString);
    assertEquals(2, result.attempts(), result::toString);
    assertEquals(Checksums.crc32c(Files.readAllBytes(file)), result.checksum());
    assertEquals(1, server.received.stream().filter(line -> line.endsWith("cancel")).count(), server.received::toString);
  }

  /**
   * The second try knows the checksum from the first and reads nothing before sending: the length is checked,
   * the try fails as {@code file_changed} before any byte is sent, and the third try sends the file as it is now.
   */
  @Test
  void aFileShorterThanOfferedOnATryWithAKnownChecksumIsTriedAgainAsItIsNow() {
    writeRandom(home.resolve("a.big"), 100_000, 6);
    AtomicInteger offers = new AtomicInteger();
    ScriptedServer server = startScripted((connection, message) -> {
      if (message instanceof Message.Offer offer && offers.incrementAndGet() == 2) {
        cut(home.resolve("a.big"), 50_000);
        connection.reply(new Message.Send(offer.id(), 0));
      } else if (message instanceof Message.Commit commit && offers.get() == 1) {
        connection.reply(new Message.Error(commit.id(), ErrorCode.INTERNAL, "try again"));
      } else {
        ScriptedServer.OBLIGING.handle(connection, message);
      }
    });

    FileResult result = result(push(server, 3, "a.big"), "a.big");

    assertEquals(FileStatus.SENT, result.status(), result::toString);
    assertEquals(50_000, result.bytes(), "the version the third try found");
    assertEquals(3, result.attempts(), result::toString);
  }

  @Test
  void aFileShorterThanTheResumeOffsetFailsAsFileChanged() {
    writeRandom(home.resolve("r.big"), 100_000, 7);
    ScriptedServer server = startScripted((connection, message) -> {
      if (message instanceof Message.Offer offer) {
        cut(home.resolve("r.big"), 50_000);
        connection.reply(new Message.Send(offer.id(), 60_000));
      } else {
        ScriptedServer.OBLIGING.handle(connection, message);
      }
    });

    FileResult result = result(push(server, 1, "r.big"), "r.big");

    assertEquals(FileStatus.FAILED, result.status(), result::toString);
    assertEquals("file_changed", result.errorCode(), result::toString);
  }

  private static void append(Path file, String text) {
    try {
      Files.write(file, text.getBytes(StandardCharsets.UTF_8), StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void setMtime(Path file, long millis) {
    try {
      Files.setLastModifiedTime(file, java.nio.file.attribute.FileTime.fromMillis(millis));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void cut(Path file, long length) {
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      raf.setLength(length);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
