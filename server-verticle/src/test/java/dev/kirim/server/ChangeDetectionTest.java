package dev.kirim.server;

import dev.kirim.protocol.ErrorCode;
import dev.kirim.protocol.Message;
import dev.kirim.testkit.Checksums;
import dev.kirim.testkit.WireClient;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.List;

import static dev.kirim.testkit.Await.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * "Do you have this file?" at the wire: the two ways of comparing (size and mtime, or contents), what a
 * published file keeps of the sender's metadata, the {@code update} policy with its resume, the checksum
 * remembered with a stored file, cancel, and dry runs.
 */
class ChangeDetectionTest extends ServerTestBase {

  private static final String NAME = "data/report.bin";
  private static final long MTIME = 1_600_000_000_123L;

  private final byte[] original = content(STREAMED_SIZE + 3 * CHUNK_BYTES, 1);
  /** The same size as {@link #original}, other bytes. */
  private final byte[] rewritten = content(original.length, 2);

  private KirimServer start(ServerOptions options) {
    return await(startServer(options));
  }

  private WireClient client(KirimServer server) {
    return await(connectReady(server));
  }

  private static Message.Offer quick(long id, byte[] content, long mtime) {
    return new Message.Offer(id, NAME, content.length, mtime, null);
  }

  private static Message.Offer byContent(long id, byte[] content, long mtime) {
    return new Message.Offer(id, NAME, content.length, mtime, "crc32c", Checksums.crc32c(content), null, null, null);
  }

  /** Offers, and when asked sends the body from the offset asked and commits: the final reply. */
  private static Message offerAndSend(WireClient client, Message.Offer offer, byte[] content) {
    client.send(offer);
    Message reply = await(client.next());
    if (reply instanceof Message.Send send) {
      client.sendBody(offer.id(), content, (int) send.offset());
      client.send(new Message.Commit(offer.id(), Checksums.crc32c(content)));
      return await(client.next());
    }
    return reply;
  }

  private void storeOriginal(KirimServer server) {
    assertInstanceOf(Message.Done.class, offerAndSend(client(server), quick(1, original, MTIME), original));
  }

  @Test
  void thePublishedFileKeepsTheOfferedMtimeSoTheQuickCheckFindsItTheSame() throws IOException {
    KirimServer server = start(options());
    storeOriginal(server);

    assertEquals(FileTime.fromMillis(MTIME), Files.getLastModifiedTime(stored(NAME)));
    WireClient client = client(server);
    assertEquals(new Message.Skip(2, Message.Skip.SAME, original.length, MTIME, Checksums.crc32c(original)),
      offerAndSend(client, quick(2, original, MTIME), original));
    // Rsync's quick check: another mtime is another file, whatever the bytes.
    Message.Skip skip = (Message.Skip) offerAndSend(client, quick(3, original, MTIME + 1), original);
    assertEquals(Message.Skip.DIFFERS, skip.reason());
  }

  @Test
  void sameSizeAndMtimeWithOtherBytesPassesTheQuickCheckButNotTheContentCompare() {
    KirimServer server = start(options());
    storeOriginal(server);
    WireClient client = client(server);

    // The documented blind spot of the quick check ...
    assertTrue(((Message.Skip) offerAndSend(client, quick(2, rewritten, MTIME), rewritten)).same());
    // ... which comparing contents closes.
    Message.Skip skip = (Message.Skip) offerAndSend(client, byContent(3, rewritten, MTIME), rewritten);
    assertEquals(new Message.Skip(3, Message.Skip.DIFFERS, original.length, MTIME, Checksums.crc32c(original)), skip);
    assertArrayEquals(original, read(NAME), "skip keeps the stored copy");
  }

  @Test
  void updateReplacesOnlyACopyThatDiffers() throws IOException {
    KirimServer server = start(options().setOnExisting(OnExisting.UPDATE));
    storeOriginal(server);
    WireClient client = client(server);

    assertTrue(((Message.Skip) offerAndSend(client, byContent(2, original, MTIME + 5), original)).same(),
      "the same contents are skipped even under another mtime");
    Message done = offerAndSend(client, byContent(3, rewritten, MTIME + 5), rewritten);

    assertEquals(new Message.Done(3, NAME, rewritten.length, Checksums.crc32c(rewritten)), done);
    assertArrayEquals(rewritten, read(NAME));
    assertEquals(FileTime.fromMillis(MTIME + 5), Files.getLastModifiedTime(stored(NAME)));
    assertNoPartials();
    assertFinalFiles(NAME);
  }

  @Test
  void anInterruptedUpdateLeavesTheOldCopyIntactAndResumes() {
    KirimServer server = start(options().setOnExisting(OnExisting.UPDATE));
    storeOriginal(server);
    long newMtime = MTIME + 60_000;

    WireClient first = client(server);
    first.send(quick(2, rewritten, newMtime));
    Message.Send firstSend = (Message.Send) await(first.next());
    assertEquals(new Message.Send(2, 0), WireClient.withoutResumeId(firstSend));
    int part = STREAMED_SIZE;
    first.sendRaw(new Message.Data(2, 0, rewritten.length).toBuffer().appendBytes(rewritten, 0, part));
    Path partial = await(awaitPartial(CHUNK_BYTES));
    await(first.close());

    assertArrayEquals(original, read(NAME), "the old copy is intact and visible while the update is unfinished");
    WireClient second = client(server);
    Message.Send send = await(second.offerUntilSent(quick(3, rewritten, newMtime).withResumeId(firstSend.resumeId()),
      RETRIES));
    assertTrue(send.offset() > 0, "the update resumes: " + send);
    assertArrayEquals(original, read(NAME), "still the old copy until the new one is published");
    assertInstanceOf(Message.Done.class, await(second.finishUpload(send, rewritten)));

    assertArrayEquals(rewritten, read(NAME));
    assertFalse(Files.exists(partial));
    assertNoPartials();
  }

  @Test
  void offeredModeBitsAreMaskedAndNeverSetuid() throws IOException {
    KirimServer server = start(options().setUmask(027));
    WireClient client = client(server);
    byte[] script = "#!/bin/sh\necho hi\n".getBytes(StandardCharsets.UTF_8);

    Message.Offer setuid = new Message.Offer(1, "bin/run.sh", script.length, MTIME, null, null, 04777, null, null);
    assertInstanceOf(Message.Done.class, offerAndSend(client, setuid, script));
    Message.Offer plain = new Message.Offer(2, "bin/plain.txt", script.length, MTIME, null, null, null, false, null);
    assertInstanceOf(Message.Done.class, offerAndSend(client, plain, script));

    assertEquals("rwxr-x---", PosixFilePermissions.toString(Files.getPosixFilePermissions(stored("bin/run.sh"))));
    assertEquals(0, ((Integer) Files.getAttribute(stored("bin/run.sh"), "unix:mode")) & 07000, "no setuid/setgid/sticky");
    assertNotEquals(FileTime.fromMillis(MTIME), Files.getLastModifiedTime(stored("bin/plain.txt")),
      "setMtime false keeps the arrival time");
  }

  @Test
  void aRememberedChecksumAnswersAContentCompareWithoutReadingTheFile() throws IOException {
    KirimServer server = start(options());
    storeOriginal(server);
    assertEquals(original.length + " " + MTIME * 1_000_000 + " " + Checksums.crc32c(original),
      xattr(stored(NAME), "kirim.crc32c"));

    // Swap the bytes behind kirim's back, restoring size and mtime: only a read of the file could tell.
    Files.write(stored(NAME), rewritten);
    Files.setLastModifiedTime(stored(NAME), FileTime.fromMillis(MTIME));

    WireClient client = client(server);
    assertTrue(((Message.Skip) offerAndSend(client, byContent(2, original, MTIME), original)).same(),
      "answered from the remembered checksum: the file was not read");
    // A write that moves the mtime retires the value: the next compare reads the file and remembers anew.
    Files.setLastModifiedTime(stored(NAME), FileTime.fromMillis(MTIME + 1));
    assertTrue(((Message.Skip) offerAndSend(client, byContent(3, rewritten, MTIME), rewritten)).same());
    assertEquals(Checksums.crc32c(rewritten), xattr(stored(NAME), "kirim.crc32c").split(" ")[2]);
  }

  @Test
  void aFileStoredByOtherMeansIsReadOnceThenRemembered() throws IOException {
    Files.createDirectories(stored(NAME).getParent());
    Files.write(stored(NAME), original);
    KirimServer server = start(options());
    WireClient client = client(server);

    long mtime = Files.getLastModifiedTime(stored(NAME)).toMillis();
    assertTrue(((Message.Skip) offerAndSend(client, byContent(1, original, mtime), original)).same());
    assertTrue(xattr(stored(NAME), "kirim.crc32c").endsWith(Checksums.crc32c(original)));
  }

  @Test
  void aSmallFileRemembersNoChecksumYetItsSkipsTellOneAndAContentCompareReadsIt() throws IOException {
    KirimServer server = start(options());
    WireClient client = client(server);
    byte[] small = content((int) ChecksumCache.SMALLEST_REMEMBERED - 1, 3);
    assertInstanceOf(Message.Done.class, offerAndSend(client, quick(1, small, MTIME), small));
    assertFalse(attributeNames(stored(NAME)).contains("kirim.crc32c"), "nothing remembered on a small file");

    Message.Skip quickSkip = (Message.Skip) offerAndSend(client, quick(2, small, MTIME), small);
    assertTrue(quickSkip.same());
    assertEquals(Checksums.crc32c(small), quickSkip.checksum(), "a quick-check skip still tells the checksum");

    // Bytes swapped behind kirim's back, size and mtime restored: the content compare reads the file again.
    Files.write(stored(NAME), content(small.length, 4));
    Files.setLastModifiedTime(stored(NAME), FileTime.fromMillis(MTIME));
    Message.Skip contentSkip = (Message.Skip) offerAndSend(client, byContent(3, small, MTIME), small);
    assertEquals(Message.Skip.DIFFERS, contentSkip.reason());
    assertFalse(attributeNames(stored(NAME)).contains("kirim.crc32c"), "still nothing remembered");

    byte[] smallestRemembered = content((int) ChecksumCache.SMALLEST_REMEMBERED, 5);
    Message.Offer atTheLimit = new Message.Offer(4, "limit.bin", smallestRemembered.length, MTIME, null);
    assertInstanceOf(Message.Done.class, offerAndSend(client, atTheLimit, smallestRemembered));
    assertTrue(attributeNames(stored("limit.bin")).contains("kirim.crc32c"), "64 KiB is remembered");
  }

  @Test
  void aCancelledUploadIsDiscardedWithNothingPublished() {
    KirimServer server = start(options());
    WireClient client = client(server);

    client.send(quick(1, original, MTIME));
    assertEquals(new Message.Send(1, 0), WireClient.withoutResumeId(await(client.next())));
    client.sendRaw(new Message.Data(1, 0, original.length).toBuffer().appendBytes(original));
    client.send(new Message.Cancel(1, "the file changed while being sent"));
    Message.Error error = await(client.expectError(ErrorCode.CANCELLED, 1L));

    assertTrue(error.message().contains("changed"), error.message());
    assertFinalFiles();
    assertNoPartials();
    // The connection goes on: the next offer of the name starts afresh.
    assertInstanceOf(Message.Done.class, offerAndSend(client, quick(2, original, MTIME), original));
  }

  @Test
  void aDryRunSaysWhatWouldHappenAndChangesNothing() {
    KirimServer server = start(options().setOnExisting(OnExisting.UPDATE));
    WireClient client = client(server);
    Message.Offer fresh = new Message.Offer(1, "new/dir/file.bin", 10, MTIME, null, null, null, null, true);

    assertEquals(new Message.Preview(1, Message.Preview.CREATE, 0), offerAndSend(client, fresh, new byte[10]));
    assertFalse(Files.exists(stored("new")), "a dry run creates no directory");

    storeOriginal(server);
    Message.Offer update = new Message.Offer(2, NAME, rewritten.length, MTIME + 1, null, null, null, null, true);
    assertEquals(new Message.Preview(2, Message.Preview.UPDATE, 0), offerAndSend(client, update, rewritten));
    Message.Offer same = new Message.Offer(3, NAME, original.length, MTIME, null, null, null, null, true);
    assertTrue(((Message.Skip) offerAndSend(client, same, original)).same());

    assertArrayEquals(original, read(NAME));
    assertFinalFiles(NAME);
    assertNoPartials();
  }

  @Test
  void aDryRunOfAnInterruptedUploadPreviewsTheResumeAndKeepsThePartial() {
    KirimServer server = start(options());
    WireClient first = client(server);
    first.send(quick(1, original, MTIME));
    Message.Send firstSend = (Message.Send) await(first.next());
    assertEquals(new Message.Send(1, 0), WireClient.withoutResumeId(firstSend));
    first.sendRaw(new Message.Data(1, 0, original.length).toBuffer().appendBytes(original, 0, STREAMED_SIZE));
    Path partial = await(awaitPartial(CHUNK_BYTES));
    await(first.close());

    WireClient second = client(server);
    Message.Offer dryRun = new Message.Offer(2, NAME, original.length, MTIME, null, null, null, null, true)
      .withResumeId(firstSend.resumeId());
    // A dry run claims nothing, so it is never busy, even while the server still cleans up after the first.
    Message.Preview preview = assertInstanceOf(Message.Preview.class, offerAndSend(second, dryRun, original));
    assertEquals(Message.Preview.RESUME, preview.action());
    assertTrue(preview.offset() > 0, preview::toString);
    // Even a dry run of another version leaves the partial alone: nothing is changed.
    Message.Offer other = new Message.Offer(3, NAME, original.length, MTIME + 9, null, null, null, null, true);
    assertEquals(new Message.Preview(3, Message.Preview.CREATE, 0), offerAndSend(second, other, original));
    assertEquals(List.of(partial), partials());
    assertFinalFiles();
  }

  private static List<String> attributeNames(Path file) throws IOException {
    return Files.getFileAttributeView(file, UserDefinedFileAttributeView.class).list();
  }

  private static String xattr(Path file, String name) {
    try {
      UserDefinedFileAttributeView view = Files.getFileAttributeView(file, UserDefinedFileAttributeView.class);
      ByteBuffer buffer = ByteBuffer.allocate(view.size(name));
      view.read(name, buffer);
      return new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
