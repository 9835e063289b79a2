package dev.kirim.server;

import dev.kirim.protocol.ErrorCode;
import dev.kirim.protocol.Message;
import dev.kirim.testkit.Checksums;
import dev.kirim.testkit.WireClient;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Issue 9 point 6: a hostile client is bounded in what it can hold and cannot squat or garble. */
class HostileInputTest extends ServerTestBase {

  // The server's log lines in tests (see simplelogger.properties).
  private static final Path LOG = Path.of("target/server-tests.log");
  private static final long CLAIM_TIMEOUT_MS = 400;

  @Test
  void connectionsBeyondThePerPeerLimitGetBusy(VertxTestContext testContext) {
    ServerOptions options = options();
    options.getLimits().setMaxConnections(10).setMaxConnectionsPerPeer(2);
    startServer(options)
      .compose(server -> connectReady(server)
        .compose(first -> connectReady(server)
          .compose(second -> connect(server))
          .compose(third -> third.expectFatal(ErrorCode.BUSY))
          .map(busy -> {
            assertTrue(busy.message().contains("per peer"), busy.message());
            return null;
          })
          .compose(v -> first.close()))
        .compose(v -> connectWhenFree(server, RETRIES)))
      .compose(client -> client.upload(1, "after.bin", content(100, 1)))
      .onComplete(testContext.succeedingThenComplete());
  }

  private Future<WireClient> connectWhenFree(KirimServer server, int attempts) {
    return connect(server).compose(client -> {
      client.send(new Message.Hello(Message.VERSION, "late", null));
      return client.next().compose(reply -> {
        if (reply instanceof Message.Welcome) {
          return Future.succeededFuture(client);
        }
        WireClient.check(reply instanceof Message.Error error && error.code() == ErrorCode.BUSY && attempts > 1,
          "expected welcome or busy, got " + reply);
        return client.close()
          .compose(v -> vertx.timer(20, TimeUnit.MILLISECONDS))
          .compose(v -> connectWhenFree(server, attempts - 1));
      });
    });
  }

  @Test
  void zeroLengthDataForAnUnknownIdIsUnexpected(VertxTestContext testContext) {
    startServer()
      .compose(server -> connectReady(server))
      .compose(client -> {
        client.sendRaw("{\"type\":\"data\",\"id\":77,\"offset\":0,\"length\":0}\n");
        return client.expectFatal(ErrorCode.UNEXPECTED);
      })
      .onComplete(testContext.succeedingThenComplete());
  }

  @Test
  void anOfferIdCannotBeReusedAfterItsDone(VertxTestContext testContext) {
    startServer()
      .compose(server -> connectReady(server))
      .compose(client -> client.upload(5, "one.bin", content(10, 1))
        .compose(done -> client.offer(5, "two.bin", 10))
        .compose(v -> client.expectFatal(ErrorCode.UNEXPECTED)))
      .onComplete(testContext.succeedingThenComplete());
  }

  @Test
  void anOfferIdCannotBeReusedAfterItsSkip(VertxTestContext testContext) {
    startServer()
      .compose(server -> connectReady(server))
      .compose(client -> client.upload(5, "one.bin", content(10, 1))
        .compose(done -> client.offer(6, "one.bin", 10))
        .compose(v -> client.expect(Message.Skip.class))
        .compose(skip -> client.offer(6, "three.bin", 10))
        .compose(v -> client.expectFatal(ErrorCode.UNEXPECTED)))
      .onComplete(testContext.succeedingThenComplete());
  }

  @Test
  void anOfferIdCannotBeReusedAfterItsError(VertxTestContext testContext) {
    startServer()
      .compose(server -> connectReady(server))
      .compose(client -> client.offer(7, "../bad", 10)
        .compose(v -> client.expectError(ErrorCode.BAD_NAME, 7L))
        .compose(err -> client.offer(7, "good.bin", 10))
        .compose(v -> client.expectFatal(ErrorCode.UNEXPECTED)))
      .onComplete(testContext.succeedingThenComplete());
  }

  @Test
  void anOverlongSlashInANameIsMalformedOnTheWire(VertxTestContext testContext) {
    Buffer line = Buffer.buffer("{\"type\":\"offer\",\"id\":1,\"name\":\"..")
      .appendBytes(new byte[] {(byte) 0xc0, (byte) 0xaf})
      .appendString("etc\",\"size\":1,\"mtime\":0}\n");
    startServer()
      .compose(server -> connectReady(server))
      .compose(client -> client.sendRaw(line).compose(v -> client.expectFatal(ErrorCode.MALFORMED)))
      .map(error -> {
        assertTrue(error.message().contains("UTF-8"), error.message());
        assertFinalFiles();
        return null;
      })
      .onComplete(testContext.succeedingThenComplete());
  }

  @Test
  void aHelloWithAByteOrderMarkIsMalformedOnTheWire(VertxTestContext testContext) {
    startServer()
      .compose(server -> connect(server))
      .compose(client -> client.sendRaw(Buffer.buffer(new byte[] {(byte) 0xef, (byte) 0xbb, (byte) 0xbf})
          .appendString("{\"type\":\"hello\",\"version\":1,\"clientId\":\"c\"}\n"))
        .compose(v -> client.expectFatal(ErrorCode.MALFORMED)))
      .onComplete(testContext.succeedingThenComplete());
  }

  /**
   * A client that pipelines offers of bad names and never reads the replies: the server stops reading it once
   * its replies back up, so the client stalls long before it has sent everything (before, the server read all
   * and queued the replies in memory), and the refusals are one log line per burst, not one per offer.
   */
  @Test
  void aClientThatNeverReadsItsRepliesIsNoLongerRead(VertxTestContext testContext) {
    long total = 64L * 1024 * 1024;
    NetClient netClient = vertx.createNetClient();
    ServerOptions options = options();
    options.getLimits().setIdleTimeoutMs(3000);
    startServer(options)
      .compose(server -> netClient.connect(server.actualPort(), "127.0.0.1"))
      .compose(socket -> {
        // Never read: what the server sends stays in the kernel's buffers.
        socket.pause();
        String peer = "127.0.0.1:" + socket.localAddress().port();
        return socket.write(new Message.Hello(Message.VERSION, "deaf", null).toBuffer())
          .compose(v -> sendUntilNoLongerRead(socket, peer, 0, 0, total))
          .compose(sent -> {
            assertTrue(sent < total, "the server read all " + sent + " bytes of offers");
            // The server's idle timeout ends the connection: nothing moves either way.
            return awaitLog(peer, "closed", 500);
          })
          .map(lines -> {
            assertTrue(lines.stream().anyMatch(line -> line.contains("does not read its replies")), lines::toString);
            long refusals = lines.stream().filter(line -> line.contains("refused: bad_name")).count();
            assertTrue(refusals <= 2, refusals + " refusal lines");
            assertTrue(lines.stream().anyMatch(line -> line.contains("not logged one by one")), lines::toString);
            return null;
          });
      })
      .onComplete(testContext.succeedingThenComplete());
  }

  /**
   * Sends offers of a bad name until the server says it stopped reading this connection, or all were sent.
   * A full write queue waits for its drain or for that log line, whichever comes first: how long a drain takes
   * depends on how busy the machine is, the server's line does not.
   *
   * @return the bytes sent
   */
  private Future<Long> sendUntilNoLongerRead(NetSocket socket, String peer, long nextId, long sent, long total) {
    while (sent < total && !socket.writeQueueFull()) {
      Buffer batch = Buffer.buffer(64 * 1024);
      for (int i = 0; i < 500; i++, nextId++) {
        batch.appendString("{\"type\":\"offer\",\"id\":" + nextId + ",\"name\":\"../x\",\"size\":1,\"mtime\":0}\n");
      }
      sent += batch.length();
      socket.write(batch);
    }
    if (sent >= total) {
      return Future.succeededFuture(sent);
    }
    Promise<Boolean> drainedOrStopped = Promise.promise();
    socket.drainHandler(v -> drainedOrStopped.tryComplete(true));
    long poll = vertx.setPeriodic(200, t -> {
      if (logged(peer, "does not read its replies")) {
        drainedOrStopped.tryComplete(false);
      }
    });
    long id = nextId;
    long soFar = sent;
    return drainedOrStopped.future().compose(drained -> {
      vertx.cancelTimer(poll);
      socket.drainHandler(null);
      return drained ? sendUntilNoLongerRead(socket, peer, id, soFar, total) : Future.succeededFuture(soFar);
    });
  }

  private static boolean logged(String marker, String text) {
    try {
      return Files.readAllLines(LOG, StandardCharsets.UTF_8).stream()
        .anyMatch(line -> line.contains(marker) && line.contains(text));
    } catch (IOException e) {
      return false;
    }
  }

  private Future<List<String>> awaitLog(String marker, String text, int attempts) {
    List<String> lines;
    try {
      lines = Files.readAllLines(LOG, StandardCharsets.UTF_8).stream().filter(line -> line.contains(marker)).toList();
    } catch (IOException e) {
      return Future.failedFuture(e);
    }
    if (lines.stream().anyMatch(line -> line.contains(text))) {
      return Future.succeededFuture(lines);
    }
    if (attempts == 0) {
      return Future.failedFuture(new AssertionError("no log line with '" + text + "' for " + marker + " in " + LOG
        + ": " + lines));
    }
    return vertx.timer(20, TimeUnit.MILLISECONDS).compose(v -> awaitLog(marker, text, attempts - 1));
  }

  private ServerOptions shortClaimTimeout() {
    ServerOptions options = options();
    options.getLimits().setClaimTimeoutMs(CLAIM_TIMEOUT_MS);
    return options;
  }

  @Test
  void aNameClaimedByAnOfferWhoseDataNeverComesIsReleased(VertxTestContext testContext) {
    byte[] content = content(1000, 3);
    long[] startedAt = new long[1];
    startServer(shortClaimTimeout())
      .compose(server -> connectReady(server)
        .compose(squatter -> {
          startedAt[0] = System.nanoTime();
          return squatter.offer(1, "squat.bin", 10)
            .compose(v -> squatter.expect(Message.Send.class))
            .compose(send -> squatter.expectFatal(ErrorCode.TIMEOUT));
        })
        .map(error -> {
          long waited = (System.nanoTime() - startedAt[0]) / 1_000_000;
          assertTrue(waited >= CLAIM_TIMEOUT_MS, "closed after " + waited + " ms");
          assertTrue(error.message().contains("released"), error.message());
          return null;
        })
        .compose(v -> connectReady(server))
        .compose(other -> other.upload(1, "squat.bin", content)))
      .map(done -> {
        assertStored("squat.bin", content);
        assertEquals(List.of(), partials(), "partial files left");
        return null;
      })
      .onComplete(testContext.succeedingThenComplete());
  }

  /**
   * A {@code send} that waits in the reply order behind a slower reply (a content compare of a large stored
   * file) has not reached the client: the claim deadline runs only once it is written.
   */
  @Test
  void aSendWaitingBehindASlowerReplyIsNotTimedOut(VertxTestContext testContext) throws IOException {
    // Sparse: no disk to fill, but reading it for a SHA-256 takes several claim timeouts, even on a fast idle
    // machine whose SHA-256 instructions hash about 2 GB/s.
    long large = 1L << 31;
    try (RandomAccessFile file = new RandomAccessFile(storage.resolve("large.bin").toFile(), "rw")) {
      file.setLength(large);
    }
    Files.setLastModifiedTime(storage.resolve("large.bin"), FileTime.fromMillis(WireClient.MTIME));
    byte[] fresh = content(10, 6);
    long[] compareMs = new long[1];
    startServer(shortClaimTimeout())
      .compose(this::connectReady)
      .compose(client -> {
        long started = System.nanoTime();
        client.send(new Message.Offer(1, "large.bin", large, WireClient.MTIME, "sha256", "sha256:" + "0".repeat(64),
          null, null, null));
        client.offer(2, "fresh.bin", fresh.length);
        return client.expect(Message.Skip.class)
          .compose(skip -> {
            compareMs[0] = (System.nanoTime() - started) / 1_000_000;
            return client.expect(Message.Send.class);
          })
          .compose(send -> client.finishUpload(2, fresh, 0));
      })
      .map(done -> {
        assertStored("fresh.bin", fresh);
        // Otherwise the test proves nothing: the send would have come within the claim timeout anyway.
        assertTrue(compareMs[0] > CLAIM_TIMEOUT_MS, "the compare took only " + compareMs[0] + " ms");
        return null;
      })
      .onComplete(testContext.succeedingThenComplete());
  }

  @Test
  void aCommitThatNeverComesReleasesTheNameToo(VertxTestContext testContext) {
    byte[] content = content(1000, 4);
    startServer(shortClaimTimeout())
      .compose(server -> connectReady(server)
        .compose(squatter -> squatter.offer(1, "late.bin", content.length)
          .compose(v -> squatter.expect(Message.Send.class))
          .compose(send -> squatter.sendBody(1, content, 0))
          .compose(v -> squatter.expectFatal(ErrorCode.TIMEOUT)))
        .compose(v -> connectReady(server))
        .compose(other -> other.upload(1, "late.bin", content)))
      .onComplete(testContext.succeedingThenComplete());
  }

  /** The deadline runs between bodies, not across them: a slow body does not cost the next offer its claim. */
  @Test
  void aSlowBodyDoesNotCostThePipelinedOfferItsClaim(VertxTestContext testContext) {
    byte[] first = content(3000, 5);
    byte[] second = content(2000, 6);
    startServer(shortClaimTimeout())
      .compose(server -> connectReady(server))
      .compose(client -> client.offer(1, "first.bin", first.length)
        .compose(v -> client.offer(2, "second.bin", second.length))
        .compose(v -> client.expect(Message.Send.class))
        .compose(v -> client.expect(Message.Send.class))
        .compose(v -> client.sendRaw(new Message.Data(1, 0, first.length).toBuffer()
          .appendBytes(first, 0, 1000)))
        .compose(v -> vertx.timer(CLAIM_TIMEOUT_MS * 2, TimeUnit.MILLISECONDS))
        .compose(v -> client.sendRaw(Buffer.buffer(WireClient.slice(first, 1000, first.length))))
        .compose(v -> client.send(new Message.Commit(1, Checksums.crc32c(first))))
        .compose(v -> client.expect(Message.Done.class))
        .compose(done -> client.finishUpload(2, second, 0)))
      .map(done -> {
        assertStored("first.bin", first);
        assertStored("second.bin", second);
        return null;
      })
      .onComplete(testContext.succeedingThenComplete());
  }
}
