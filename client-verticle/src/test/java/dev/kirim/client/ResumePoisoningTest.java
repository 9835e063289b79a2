package dev.kirim.client;

import dev.kirim.protocol.Message;
import dev.kirim.server.KirimServer;
import dev.kirim.testkit.Checksums;
import dev.kirim.testkit.Crc32cForgery;
import dev.kirim.testkit.PartialWait;
import dev.kirim.testkit.WireClient;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Arrays;
import java.util.List;

import static dev.kirim.testkit.Await.await;
import static dev.kirim.testkit.TestFiles.read;
import static dev.kirim.testkit.TestFiles.writeRandom;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * The attack of issue 9 on resume: a stranger who knows a victim's file name, size, mtime and first bytes uploads
 * a crafted prefix with the same CRC-32C state for that name and disconnects, hoping the victim's next push resumes
 * on it (then both sides would report success while the server publishes the stranger's bytes). The server gives
 * the partial to its uploader only: the victim, who does not present the stranger's resume id, starts from 0.
 */
class ResumePoisoningTest extends PushTestBase {

  private static final int SIZE = 300_001;
  private static final int PREFIX = 200_000;
  private static final long MTIME = 1_717_000_000_000L;

  @TempDir
  Path dir;

  @Test
  void aStrangersPrefixIsNotResumedAndTheVictimsFileIsPublishedIntact() throws IOException {
    Path storage = dir.resolve("storage");
    Path local = dir.resolve("local");
    byte[] victim = writeRandom(local.resolve("ledger.bin"), SIZE, 17);
    Files.setLastModifiedTime(local.resolve("ledger.bin"), FileTime.fromMillis(MTIME));
    KirimServer server = startServer(storage);

    // The stranger's prefix: its own bytes, yet the victim's whole-file CRC-32C would still match.
    byte[] evil = new byte[PREFIX];
    Arrays.fill(evil, (byte) 'X');
    byte[] forged = Crc32cForgery.forge(Arrays.copyOf(victim, PREFIX), evil);
    byte[] poisoned = victim.clone();
    System.arraycopy(forged, 0, poisoned, 0, PREFIX);
    assertFalse(Arrays.equals(victim, poisoned));
    assertEquals(Checksums.crc32c(victim), Checksums.crc32c(poisoned), "the forged prefix defeats CRC-32C");

    WireClient stranger = await(WireClient.connect(vertx, server.actualPort()));
    await(stranger.hello());
    stranger.send(new Message.Offer(1, "ledger.bin", SIZE, MTIME, null));
    Message.Send send = await(stranger.expect(Message.Send.class));
    await(stranger.sendRaw(new Message.Data(1, 0, SIZE).toBuffer().appendBuffer(Buffer.buffer(forged))));
    // Written is not received: the stranger leaves once the server holds its whole prefix.
    await(PartialWait.atLeast(vertx, storage, PREFIX));
    await(stranger.close());

    // The partial is kept, and it is the stranger's: presenting its resume id resumes it where the bytes stopped.
    WireClient again = await(WireClient.connect(vertx, server.actualPort()));
    await(again.hello());
    Message.Send resumed = await(again.offerUntilSent(
      new Message.Offer(1, "ledger.bin", SIZE, MTIME, null).withResumeId(send.resumeId()), 500));
    assertEquals(PREFIX, resumed.offset(), "the stranger's own partial, resumable by the stranger");
    await(again.close());

    PushReport report = push(job(local, List.of("ledger.bin"), server));
    FileResult result = result(report, "ledger.bin");
    assertEquals(FileStatus.SENT, result.status(), result::toString);
    assertEquals(0, result.resumedFrom(), "the victim does not resume on the stranger's bytes");
    assertEquals(SIZE, result.bytesTransferred());
    assertArrayEquals(victim, read(storage.resolve("ledger.bin")), "the published file is the victim's, byte for byte");
  }
}
