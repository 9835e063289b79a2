package dev.kirim.server;

import dev.kirim.protocol.Message;
import dev.kirim.testkit.Checksums;
import dev.kirim.testkit.WireClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static dev.kirim.testkit.Await.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A storage directory on a file system without extended attributes (ramfs, mounted for the test; needs
 * root, as in CI): everything works, only slower or with less — a content compare reads the stored file each
 * time, and an interrupted upload starts over, since a partial cannot be labelled with what it belongs to.
 */
class NoExtendedAttributesTest extends ServerTestBase {

  private static final String NAME = "plain/file.bin";
  private static final long MTIME = 1_650_000_000_000L;

  private boolean mounted;

  @BeforeEach
  void mountRamfs() throws Exception {
    assumeTrue("root".equals(System.getProperty("user.name")), "mounting a ramfs needs root");
    mounted = run("mount", "-t", "ramfs", "ramfs", storage.toString()) == 0;
    assumeTrue(mounted, "cannot mount a ramfs on " + storage);
  }

  @AfterEach
  void unmount() throws Exception {
    if (mounted) {
      // Lazy: the server may still hold the directory open until the base class closes it.
      run("umount", "-l", storage.toString());
    }
  }

  private static int run(String... command) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    process.getInputStream().readAllBytes();
    assertTrue(process.waitFor(30, TimeUnit.SECONDS), String.join(" ", command) + " did not end");
    return process.exitValue();
  }

  @Test
  void withoutExtendedAttributesUploadsCompareAndStartOverCleanly() throws IOException {
    assertFalse(ExtendedAttributes.probe(storage).supported(), "ramfs keeps no user attributes");
    byte[] content = content(STREAMED_SIZE + 2 * CHUNK_BYTES, 3);
    KirimServer server = await(startServer(options()));

    WireClient first = await(connectReady(server));
    first.send(new Message.Offer(1, NAME, content.length, MTIME, null));
    assertEquals(new Message.Send(1, 0), await(first.next()));
    first.sendRaw(new Message.Data(1, 0, content.length).toBuffer().appendBytes(content, 0, STREAMED_SIZE));
    Path partial = await(awaitPartial(CHUNK_BYTES));
    await(first.close());

    // No label to tell which file the partial belongs to: the offer starts over, never mixing bytes.
    WireClient second = await(connectReady(server));
    Message.Send send = await(second.offerUntilSent(new Message.Offer(1, NAME, content.length, MTIME, null), RETRIES));
    assertEquals(0, send.offset());
    assertTrue(await(second.finishUpload(send.id(), content, 0)).checksum().startsWith("crc32c:"));
    assertArrayEquals(content, read(NAME));
    assertEquals(FileTime.fromMillis(MTIME), Files.getLastModifiedTime(stored(NAME)));
    assertFalse(Files.exists(partial), "the interrupted upload's partial was removed");
    assertEquals(List.of(), partials());

    // A content compare reads the stored file (nothing is remembered) and still answers right.
    Message.Offer byContent = new Message.Offer(2, NAME, content.length, MTIME + 1, "crc32c",
      Checksums.crc32c(content), null, null, null);
    second.send(byContent);
    assertTrue(assertInstanceOf(Message.Skip.class, await(second.next())).same());
  }
}
