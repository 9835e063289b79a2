package dev.kirim.server;

import dev.kirim.protocol.Message;
import dev.kirim.testkit.Checksums;
import dev.kirim.testkit.WireClient;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static dev.kirim.testkit.WireClient.check;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Storage on a file system without hard links (exFAT, as on a USB drive; vfat is the same), where {@code link}
 * fails with EPERM: every publish used to fail with {@code internal}. The server now renames the partial onto a
 * free name instead, and still never replaces a name that is taken. The file system is a real exFAT image on a
 * loop device mounted with exfat-fuse, so the test needs root, {@code exfatprogs} and {@code exfat-fuse} (CI
 * installs them) and is skipped otherwise. exFAT also keeps modification times coarser than the millisecond, which
 * the server learns at start.
 */
@EnabledOnOs(OS.LINUX)
class NoHardLinksTest extends ServerTestBase {

  private static final long IMAGE_BYTES = 96L * 1024 * 1024;
  private Path exfat;
  private String loopDevice;

  @BeforeEach
  void mountExfat() throws Exception {
    Path image = tempDir.resolve("exfat.img");
    try (RandomAccessFile file = new RandomAccessFile(image.toFile(), "rw")) {
      file.setLength(IMAGE_BYTES);
    }
    exfat = Files.createDirectories(tempDir.resolve("exfat"));
    String needs = "needs root, loop devices, exfatprogs and exfat-fuse";
    assumeTrue(run("mkfs.exfat", image.toString()).ok(), needs + " (mkfs.exfat)");
    Result loop = run("losetup", "--find", "--show", image.toString());
    assumeTrue(loop.ok(), needs + " (losetup): " + loop.output());
    loopDevice = loop.output().strip();
    assumeTrue(run("mount.exfat-fuse", loopDevice, exfat.toString()).ok(), needs + " (mount.exfat-fuse)");
    check(!linksWork(exfat), "the exFAT mount has hard links: the test would prove nothing");
    storage = Files.createDirectories(exfat.resolve("storage"));
  }

  @AfterEach
  void unmountExfat() throws Exception {
    run("umount", "-l", exfat.toString());
    if (loopDevice != null) {
      run("losetup", "-d", loopDevice);
    }
  }

  @Test
  void uploadsAndPutsArePublished(VertxTestContext testContext) {
    byte[] streamed = content(STREAMED_SIZE, 1);
    byte[] small = content(3000, 2);
    Message.Put put = new Message.Put(2, "dir/small.bin", small.length, WireClient.MTIME, null,
      Checksums.crc32c(small), null, null);
    startServer()
      .compose(this::connectReady)
      .compose(client -> client.upload(1, "dir/big.bin", streamed)
        .compose(done -> {
          assertEquals(new Message.Done(1, "dir/big.bin", streamed.length, Checksums.crc32c(streamed)), done);
          client.sendRaw(put.toBuffer().appendBytes(small));
          return client.expect(Message.Done.class);
        }))
      .onComplete(testContext.succeeding(done -> testContext.verify(() -> {
        assertEquals(new Message.Done(2, "dir/small.bin", small.length, Checksums.crc32c(small)), done);
        assertStored("dir/big.bin", streamed);
        assertStored("dir/small.bin", small);
        assertFinalFiles("dir/big.bin", "dir/small.bin");
        assertNoPartials();
        testContext.completeNow();
      })));
  }

  @Test
  void aNameTakenDuringTheUploadIsKeptAndTheUploadDiscarded(VertxTestContext testContext) {
    byte[] uploaded = content(STREAMED_SIZE, 3);
    byte[] theirs = "written by another program meanwhile".getBytes(StandardCharsets.UTF_8);
    startServer()
      .compose(this::connectReady)
      .compose(client -> {
        client.offer(1, "taken.bin", uploaded.length);
        return client.expect(Message.Send.class).compose(send -> {
          write(stored("taken.bin"), theirs);
          client.sendBody(1, uploaded, 0);
          client.send(new Message.Commit(1, Checksums.crc32c(uploaded)));
          return client.expect(Message.Skip.class);
        });
      })
      .onComplete(testContext.succeeding(skip -> testContext.verify(() -> {
        assertEquals(Message.Skip.DIFFERS, skip.reason(), "the upload is kept out of the name: " + skip);
        assertArrayEquals(theirs, read("taken.bin"));
        assertFinalFiles("taken.bin");
        assertNoPartials();
        testContext.completeNow();
      })));
  }

  @Test
  void renameFindsTheNextFreeName(VertxTestContext testContext) {
    byte[] first = content(STREAMED_SIZE, 4);
    byte[] second = content(STREAMED_SIZE + 1, 5);
    startServer(options().setOnExisting(OnExisting.RENAME))
      .compose(this::connectReady)
      .compose(client -> client.upload(1, "a.txt", first).compose(done -> client.upload(2, "a.txt", second)))
      .onComplete(testContext.succeeding(done -> testContext.verify(() -> {
        assertEquals("a-1.txt", done.name());
        assertStored("a.txt", first);
        assertStored("a-1.txt", second);
        assertNoPartials();
        testContext.completeNow();
      })));
  }

  /**
   * exFAT keeps mtimes to 10 ms (exfat-fuse: to the second): the server learns it at start (and warns that
   * clients should compare by checksum), where the test's own temporary directory keeps the millisecond.
   */
  @Test
  void theStorageKnowsItsFileSystemKeepsCoarseModificationTimes(VertxTestContext testContext) {
    StorageDirectory onExfat = new StorageDirectory(vertx, storage, true);
    StorageDirectory onTemp = new StorageDirectory(vertx, tempDir.resolve("fine"), true);
    onExfat.create().compose(v -> onTemp.create())
      .onComplete(testContext.succeeding(v -> testContext.verify(() -> {
        check(onExfat.mtimeStepMillis() >= 10, "exFAT keeps mtimes to " + onExfat.mtimeStepMillis() + " ms");
        assertEquals(1, onTemp.mtimeStepMillis());
        testContext.completeNow();
      })));
  }

  private static boolean linksWork(Path directory) throws Exception {
    Path file = Files.writeString(directory.resolve("probe"), "probe");
    try {
      Files.createLink(directory.resolve("probe-link"), file);
      return true;
    } catch (java.nio.file.FileSystemException e) {
      return false;
    } finally {
      Files.deleteIfExists(directory.resolve("probe-link"));
      Files.delete(file);
    }
  }

  private static void write(Path file, byte[] bytes) {
    try {
      Files.write(file, bytes);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private record Result(int exitCode, String output) {
    boolean ok() {
      return exitCode == 0;
    }
  }

  private static Result run(String... command) throws Exception {
    Process process;
    try {
      process = new ProcessBuilder(command).redirectErrorStream(true).start();
    } catch (java.io.IOException notInstalled) {
      return new Result(-1, notInstalled.getMessage());
    }
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      return new Result(-1, output);
    }
    return new Result(process.exitValue(), output);
  }
}
