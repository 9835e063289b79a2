package dev.kirim.server;

import dev.kirim.protocol.ErrorCode;
import dev.kirim.protocol.Message;
import dev.kirim.testkit.Checksums;
import dev.kirim.testkit.Crc32cForgery;
import dev.kirim.testkit.WireClient;
import io.vertx.core.Future;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An upload cut off by a lost connection resumes where it stopped when the client offers the same name,
 * size and mtime again; the resumed file is verified as a whole. A fresh client's offer is answered
 * {@code busy} while the lost connection is still being cleaned up, so the tests offer until it is not.
 */
class ResumeTest extends ServerTestBase {

  private static final String NAME = "big/archive.tar";
  private static final long MTIME = 1_700_000_000_123L;
  private final byte[] content = content(STREAMED_SIZE + 4 * CHUNK_BYTES, 400);
  // What the interrupted upload's send gave: presented to resume it.
  private String resumeId;

  /**
   * Offers {@link #NAME} with {@code mtime}, sends the first {@code part} bytes of the body, waits until the
   * server has written some of them, and drops the connection.
   *
   * @return the partial file
   */
  private Future<Path> interruptedUpload(KirimServer server, Long mtime, int part) {
    return connectReady(server).compose(client -> {
      client.send(offer(1, NAME, content.length, mtime));
      return client.expect(Message.Send.class)
        .compose(send -> {
          resumeId = send.resumeId();
          return client.sendRaw(new Message.Data(1, 0, content.length).toBuffer().appendBytes(content, 0, part));
        })
        .compose(v -> awaitPartial(Math.min(part, CHUNK_BYTES)))
        .compose(partial -> client.close().map(partial));
    });
  }

  @Test
  void resumesFromTheBytesTheServerHas(VertxTestContext testContext) {
    int part = 8 * CHUNK_BYTES + 100;
    startServer()
      .compose(server -> interruptedUpload(server, MTIME, part)
        .compose(partial -> connectReady(server).compose(client ->
          client.offerUntilSent(offer(1, NAME, content.length, MTIME).withResumeId(resumeId), RETRIES)
            .compose(send -> {
              long offset = send.offset();
              assertNotNull(resumeId, "a resumable upload's send carries a resume id");
              assertTrue(offset > 0 && offset <= part, "resume offset " + offset + " of " + part + " bytes sent");
              assertEquals(List.of(partial), partials());
              assertEquals(offset, size(partial), "the offset is not what the partial file holds");
              assertFalse(Files.exists(stored(NAME)), "the final name exists before the upload finished");
              assertEquals(resumeId, send.resumeId(), "a resume keeps its id");
              assertEquals("sha256", send.algorithm(), "a resume commits with SHA-256");
              return client.finishUpload(send, content);
            }))))
      .map(done -> {
        assertEquals(new Message.Done(done.id(), NAME, content.length, Checksums.sha256(content)), done);
        assertOnlyStored(NAME, content);
        return null;
      })
      .onComplete(testContext.succeedingThenComplete());
  }

  /**
   * A client that sent the whole body and then went quiet past the claim deadline is closed with {@code timeout}
   * but keeps what it sent, as after a lost connection: its next offer resumes with the commit alone. The partial
   * used to be deleted, and the file sent again from its first byte.
   */
  @Test
  void aBodyWhoseCommitMissedTheClaimDeadlineIsKeptForTheResume(VertxTestContext testContext) {
    ServerOptions options = options();
    options.getLimits().setClaimTimeoutMs(1_000);
    startServer(options)
      .compose(server -> connectReady(server)
        .compose(client -> {
          client.send(offer(1, NAME, content.length, MTIME));
          return client.expect(Message.Send.class).compose(send -> {
            resumeId = send.resumeId();
            client.sendBody(1, content, 0);
            return client.expectFatal(ErrorCode.TIMEOUT);
          });
        })
        .compose(timeout -> connectReady(server))
        .compose(client -> client.offerUntilSent(offer(1, NAME, content.length, MTIME).withResumeId(resumeId), RETRIES)
          .compose(send -> {
            assertEquals(content.length, send.offset(), "the body sent before the timeout was kept");
            return client.finishUpload(send, content);
          })))
      .map(done -> {
        assertEquals(new Message.Done(done.id(), NAME, content.length, Checksums.sha256(content)), done);
        assertOnlyStored(NAME, content);
        return null;
      })
      .onComplete(testContext.succeedingThenComplete());
  }

  /** The whole body arrived but the connection dropped before the commit: only the commit is left to do. */
  @Test
  void resumesAnUploadThatOnlyMissedItsCommit(VertxTestContext testContext) {
    startServer()
      .compose(server -> connectReady(server)
        .compose(client -> {
          client.send(offer(1, NAME, content.length, MTIME));
          return client.expect(Message.Send.class)
            .compose(send -> {
              resumeId = send.resumeId();
              client.sendBody(1, content, 0);
              // The whole body is on the server's disk: only the commit is missing when the connection drops.
              return awaitPartial(content.length);
            })
            .compose(partial -> client.close());
        })
        .compose(v -> connectReady(server))
        .compose(client -> client.offerUntilSent(offer(1, NAME, content.length, MTIME).withResumeId(resumeId), RETRIES)
          .compose(send -> {
            assertEquals(content.length, send.offset());
            return client.finishUpload(send, content);
          })))
      .map(done -> {
        assertEquals(new Message.Done(done.id(), NAME, content.length, Checksums.sha256(content)), done);
        assertStored(NAME, content);
        assertNoPartials();
        return null;
      })
      .onComplete(testContext.succeedingThenComplete());
  }

  @Test
  void anotherMtimeIsAnotherFileAndDiscardsThePartial(VertxTestContext testContext) {
    startServer()
      .compose(server -> interruptedUpload(server, MTIME, 8 * CHUNK_BYTES)
        .compose(partial -> connectReady(server).compose(client ->
          client.offerUntilSent(offer(1, NAME, content.length, MTIME + 1).withResumeId(resumeId), RETRIES)
            .compose(send -> {
              assertEquals(0, send.offset());
              return client.finishUpload(send.id(), content, 0);
            })
            .map(done -> {
              // At most one partial per name: the other version's bytes were dropped, never mixed in.
              assertNoPartials();
              return done;
            }))))
      .map(done -> {
        assertStored(NAME, content);
        assertFinalFiles(NAME);
        return null;
      })
      .onComplete(testContext.succeedingThenComplete());
  }

  @Test
  void withResumeOffThePartialIsDeleted(VertxTestContext testContext) {
    startServer(options().setResume(false))
      .compose(server -> interruptedUpload(server, MTIME, 8 * CHUNK_BYTES)
        .compose(partial -> connectReady(server).compose(client ->
          client.offerUntilSent(offer(1, NAME, content.length, MTIME), RETRIES)
            .compose(send -> {
              assertEquals(0, send.offset());
              assertFalse(Files.exists(partial), "the partial was kept with resume off");
              assertTrue(partials().isEmpty(), "partials: " + partials());
              return client.finishUpload(send.id(), content, 0);
            }))))
      .map(done -> {
        assertStored(NAME, content);
        return null;
      })
      .onComplete(testContext.succeedingThenComplete());
  }

  /** The commit's checksum covers the whole file, so a partial damaged on the server's disk is caught. */
  @Test
  void aDamagedPartialFailsTheChecksumAndIsDeleted(VertxTestContext testContext) {
    startServer()
      .compose(server -> interruptedUpload(server, MTIME, 8 * CHUNK_BYTES)
        // Once a probe's offer of the name is accepted, the lost connection is cleaned up and the partial final.
        .compose(partial -> connectReady(server)
          .compose(probe -> probe.offerUntilSent(offer(1, NAME, content.length, MTIME).withResumeId(resumeId), RETRIES)
            .compose(reply -> probe.close()))
          .map(v -> {
            damage(partial);
            return partial;
          }))
        .compose(partial -> connectReady(server).compose(client ->
          client.offerUntilSent(offer(1, NAME, content.length, MTIME).withResumeId(resumeId), RETRIES)
            .compose(send -> {
              WireClient.check(send.offset() > 0, "expected a resume, got " + send);
              client.sendBody(send.id(), content, (int) send.offset());
              client.send(new Message.Commit(send.id(), Checksums.sha256(content)));
              return client.expectError(ErrorCode.CHECKSUM_MISMATCH, send.id());
            })
            .map(error -> {
              assertFinalFiles();
              assertNoPartials();
              return null;
            })
            // Nothing to resume from any more: the next offer starts over.
            .compose(v -> client.offerUntilSent(offer(2, NAME, content.length, MTIME).withResumeId(resumeId), RETRIES))
            .map(send -> {
              assertEquals(0, send.offset());
              return null;
            }))))
      .onComplete(testContext.succeedingThenComplete());
  }

  /**
   * A partial that holds the right resume id but whose bytes were replaced by a prefix forged for CRC-32C (the
   * same CRC state as the real one): a resumed upload commits in SHA-256, which no such prefix passes.
   */
  @Test
  void aPrefixForgedForCrc32cFailsTheSha256CommitOfAResume(VertxTestContext testContext) {
    int part = 8 * CHUNK_BYTES;
    byte[] evil = new byte[part];
    java.util.Arrays.fill(evil, (byte) 'X');
    byte[] forged = Crc32cForgery.forge(java.util.Arrays.copyOf(content, part), evil);
    byte[] poisoned = content.clone();
    System.arraycopy(forged, 0, poisoned, 0, part);
    assertEquals(Checksums.crc32c(content), Checksums.crc32c(poisoned), "the forged prefix defeats CRC-32C");
    startServer()
      .compose(server -> interruptedUpload(server, MTIME, part)
        .compose(partial -> connectReady(server)
          .compose(probe -> probe.offerUntilSent(offer(1, NAME, content.length, MTIME).withResumeId(resumeId), RETRIES)
            .compose(reply -> probe.close()))
          .map(v -> {
            assertEquals(part, size(partial));
            overwrite(partial, forged);
            return partial;
          }))
        .compose(partial -> connectReady(server).compose(client ->
          client.offerUntilSent(offer(1, NAME, content.length, MTIME).withResumeId(resumeId), RETRIES)
            .compose(send -> {
              assertEquals(part, send.offset());
              assertEquals("sha256", send.algorithm());
              client.sendBody(send.id(), content, (int) send.offset());
              client.send(new Message.Commit(send.id(), Checksums.sha256(content)));
              return client.expectError(ErrorCode.CHECKSUM_MISMATCH, send.id());
            })
            .map(error -> {
              assertFinalFiles();
              assertNoPartials();
              return null;
            }))))
      .onComplete(testContext.succeedingThenComplete());
  }

  /** A stranger who offers the same name, size and mtime without the resume id starts from 0. */
  @Test
  void aPartialIsNotResumedWithoutItsResumeId(VertxTestContext testContext) {
    startServer()
      .compose(server -> interruptedUpload(server, MTIME, 8 * CHUNK_BYTES)
        .compose(partial -> connectReady(server).compose(stranger ->
          stranger.offerUntilSent(offer(1, NAME, content.length, MTIME).withResumeId("guessed-AAAAAAAAAAAAAAAAAAAAA"),
              RETRIES)
            .compose(send -> {
              assertEquals(0, send.offset(), "a guessed id resumes nothing");
              assertNotEquals(resumeId, send.resumeId(), "a fresh partial gets a fresh id");
              return stranger.finishUpload(send, content);
            }))))
      .map(done -> {
        assertEquals(Checksums.crc32c(content), done.checksum());
        assertOnlyStored(NAME, content);
        return null;
      })
      .onComplete(testContext.succeedingThenComplete());
  }

  private static void overwrite(Path path, byte[] bytes) {
    try (RandomAccessFile file = new RandomAccessFile(path.toFile(), "rw")) {
      file.write(bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static long size(Path path) {
    try {
      return Files.size(path);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void damage(Path path) {
    try (RandomAccessFile file = new RandomAccessFile(path.toFile(), "rw")) {
      int first = file.read();
      file.seek(0);
      file.write(first ^ 0xff);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
