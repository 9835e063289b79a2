package dev.kirim.server;

import dev.kirim.protocol.ErrorCode;
import dev.kirim.protocol.Message;
import dev.kirim.testkit.Checksums;
import dev.kirim.testkit.Trees;
import dev.kirim.testkit.WireClient;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static dev.kirim.testkit.WireClient.check;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A disk that fills up while a body arrives: the client hears {@code no_space} (which it may retry later or
 * elsewhere), not {@code internal}, and nothing of the upload is left. The storage is a 4 MiB tmpfs mounted for
 * the test, so the test needs root (CI runs as root) and is skipped otherwise.
 */
@EnabledOnOs(OS.LINUX)
class FullDiskTest extends ServerTestBase {

  private static final int DISK_BYTES = 4 * 1024 * 1024;
  private Path small;

  @BeforeEach
  void mountSmallDisk() throws Exception {
    small = Files.createDirectories(tempDir.resolve("small"));
    assumeTrue(run("mount", "-t", "tmpfs", "-o", "size=" + DISK_BYTES, "kirim-test", small.toString()) == 0,
      "mounting a tmpfs needs root");
  }

  @AfterEach
  void unmount() throws Exception {
    run("umount", "-l", small.toString());
  }

  @Test
  void aDiskThatFillsUpDuringTheBodyIsNoSpace(VertxTestContext testContext) {
    byte[] content = content(DISK_BYTES * 7 / 8, 21);
    ServerOptions options = options().setStorageDir(small);
    startServer(options)
      .compose(this::connectReady)
      .compose(client -> {
        client.offer(1, "big.bin", content.length);
        return client.expect(Message.Send.class).compose(send -> {
          // Accepted while there was room; now something else takes half of the disk.
          fill(small.resolve("other.bin"), DISK_BYTES / 2);
          client.sendBody(1, content, 0);
          client.send(new Message.Commit(1, Checksums.crc32c(content)));
          return client.expectError(ErrorCode.NO_SPACE, 1L);
        });
      })
      .onComplete(testContext.succeeding(error -> testContext.verify(() -> {
        check(error.message().contains("'big.bin'"), "the message names the file: " + error);
        check(Trees.list(small).equals(List.of("other.bin")), "nothing of the upload is left: " + Trees.list(small));
        testContext.completeNow();
      })));
  }

  @Test
  void putsSentTogetherAreStoredWhileTheyFitAndTheRestAreRefusedNoSpace(VertxTestContext testContext) throws Exception {
    int free = 40 * 1024;
    int each = 8 * 1024;
    int count = 10;
    fill(small.resolve("other.bin"), DISK_BYTES - free);
    Buffer burst = Buffer.buffer();
    for (int i = 0; i < count; i++) {
      byte[] content = content(each, i);
      burst.appendBuffer(new Message.Put(i, "f" + i + ".bin", each, WireClient.MTIME, null, Checksums.crc32c(content),
        null, null).toBuffer()).appendBytes(content);
    }
    ServerOptions options = options().setStorageDir(small);
    options.getLimits().setMinFreeBytes(0);
    startServer(options)
      .compose(this::connectReady)
      .compose(client -> {
        // One write: the server reads the puts together and stores them as one batch, which looks at the free
        // space once and counts it down.
        client.sendRaw(burst);
        Future<List<Message>> replies = Future.succeededFuture(new ArrayList<>());
        for (int i = 0; i < count; i++) {
          replies = replies.compose(list -> client.next().map(reply -> {
            list.add(reply);
            return list;
          }));
        }
        return replies;
      })
      .onComplete(testContext.succeeding(replies -> testContext.verify(() -> {
        // The burst may arrive in two reads, stored side by side: which puts win is open, how many is not. A
        // batch that looked at the disk while another wrote may count one file's bytes twice (one too few);
        // none may be accepted without room and then fail half written.
        List<Message.Done> stored = replies.stream().filter(Message.Done.class::isInstance)
          .map(Message.Done.class::cast).toList();
        check(stored.size() >= free / each - 1 && stored.size() <= free / each,
          "as many stored as fit in " + free + " bytes: " + replies);
        replies.stream().filter(reply -> !(reply instanceof Message.Done)).forEach(reply -> check(
          reply instanceof Message.Error error && error.code() == ErrorCode.NO_SPACE
            && error.message().contains("needs " + each + " bytes"),
          "the rest refused before a byte is written: " + reply));
        for (Message.Done done : stored) {
          check(Checksums.crc32c(Files.readAllBytes(small.resolve(done.name()))).equals(done.checksum()),
            done.name() + " is stored whole");
        }
        check(Trees.list(small).size() == 1 + stored.size(), "no partial left: " + Trees.list(small));
        testContext.completeNow();
      })));
  }

  private static void fill(Path file, int bytes) {
    try {
      Files.write(file, new byte[bytes]);
    } catch (IOException e) {
      throw new AssertionError("cannot fill " + file, e);
    }
  }

  private static int run(String... command) throws Exception {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    process.getInputStream().readAllBytes();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      return -1;
    }
    return process.exitValue();
  }
}
