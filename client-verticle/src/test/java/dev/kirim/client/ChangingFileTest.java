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

/**
 * A local file that changes while the client sends it: one that grows (a log being written) goes out as it
 * was offered; one that is shorter than offered fails with {@code file_changed} at once, where a short
 * zero-copy send would have left the server waiting for bytes.
 */
class ChangingFileTest extends PushTestBase {

  @TempDir
  Path home;

  private PushReport push(ScriptedServer server, int attempts, String name) {
    return await(pushAsync(quickRetries().setRetryAttempts(attempts),
      job(home, List.of(name)).setTargets(List.of(target(server.port())))), 20);
  }

  @Test
  void aFileThatGrowsWhileSentIsSentAsOffered() {
    byte[] offered = writeRandom(home.resolve("app.log"), 32 * 1024 * 1024, 5);
    ScriptedServer server = startScripted((connection, message) -> {
      if (message instanceof Message.Data) {
        append(home.resolve("app.log"), "one more line\n");
      }
      ScriptedServer.OBLIGING.handle(connection, message);
    });

    FileResult result = result(push(server, 1, "app.log"), "app.log");

    assertEquals(FileStatus.SENT, result.status(), result::toString);
    assertEquals(offered.length, result.bytes());
    assertEquals(Checksums.crc32c(offered), result.checksum());
  }

  /** The second try knows the checksum from the first and reads nothing before sending: the length is checked. */
  @Test
  void aFileShorterThanOfferedOnATryWithAKnownChecksumFailsAsFileChanged() {
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

    assertEquals(FileStatus.FAILED, result.status(), result::toString);
    assertEquals("file_changed", result.errorCode(), result::toString);
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

  private static void cut(Path file, long length) {
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      raf.setLength(length);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
