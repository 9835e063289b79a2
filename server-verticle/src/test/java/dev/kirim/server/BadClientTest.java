package dev.kirim.server;

import dev.kirim.protocol.ErrorCode;
import dev.kirim.protocol.Message;
import dev.kirim.testkit.Checksums;
import dev.kirim.testkit.WireClient;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Promise 5: a client that breaks the protocol gets an error reply (a connection-level one, without id, is
 * followed by the server closing), never a crash; nothing it sent appears under a final name; and afterwards
 * a fresh client uploads as if nothing happened.
 */
class BadClientTest extends ServerTestBase {

  private static final int SMALL_HEADER_LIMIT = 256;
  // Only lower bounds are asserted: short keeps the suite fast, the assertions stay meaningful.
  private static final long SHORT_TIMEOUT_MS = 500;
  // What sendPartOfBody's send gave: presented to resume the partial.
  private String resumeId;

  /** The partial files a test expects the server to keep (for a resume); any other one is a leak. */

  /** Runs {@code misbehave} against a fresh server, then proves a good client still uploads and nothing else is stored. */
  private void afterBadClient(ServerOptions options, String goodName, Function<KirimServer, Future<?>> misbehave,
                              VertxTestContext testContext, String... alsoStored) {
    startServer(options)
      .compose(server -> misbehave.apply(server).compose(v -> assertFreshClientUploads(server, goodName)))
      .map(v -> {
        List<String> expected = new ArrayList<>(List.of(alsoStored));
        expected.add(goodName);
        assertFinalFiles(expected.toArray(String[]::new));
        // The fresh upload of goodName offered another size: any partial of that name was discarded.
        assertEquals(List.of(), partials(), "partial files left");
        return null;
      })
      .onComplete(testContext.succeedingThenComplete());
  }

  private ServerOptions smallHeaderLimit() {
    ServerOptions options = options();
    options.getLimits().setMaxHeaderBytes(SMALL_HEADER_LIMIT);
    return options;
  }

  private ServerOptions shortHeaderTimeout() {
    ServerOptions options = options();
    options.getLimits().setHeaderTimeoutMs(SHORT_TIMEOUT_MS);
    return options;
  }

  @Test
  void garbageInsteadOfHello(VertxTestContext testContext) {
    byte[] garbage = content(200, 42);
    afterBadClient(options(), "good.bin", server -> connect(server).compose(client -> {
      client.sendRaw(Buffer.buffer(garbage).appendString("\n"));
      return client.expectFatal(ErrorCode.MALFORMED);
    }), testContext);
  }

  @Test
  void textThatIsNotJsonAfterHello(VertxTestContext testContext) {
    afterBadClient(options(), "good.bin", server -> connectReady(server).compose(client -> {
      client.sendRaw("GET / HTTP/1.1\r\n\r\n");
      return client.expectFatal(ErrorCode.MALFORMED);
    }), testContext);
  }

  @Test
  void headerLineWithoutEndLongerThanTheLimit(VertxTestContext testContext) {
    afterBadClient(smallHeaderLimit(), "good.bin", server -> connectReady(server).compose(client -> {
      client.sendRaw("{\"type\":\"offer\",\"name\":\"" + "a".repeat(10 * SMALL_HEADER_LIMIT));
      return client.expectFatal(ErrorCode.MALFORMED).map(error -> {
        assertTrue(error.message().contains(String.valueOf(SMALL_HEADER_LIMIT)), error.message());
        return null;
      });
    }), testContext);
  }

  @Test
  void headerOfExactlyTheLimitIsAccepted(VertxTestContext testContext) {
    Buffer hello = helloOfLength(SMALL_HEADER_LIMIT);
    startServer(smallHeaderLimit())
      .compose(this::connect)
      .compose(client -> {
        client.sendRaw(hello);
        return client.expect(Message.Welcome.class).compose(welcome -> client.upload(1, "good.bin", content(10, 1)));
      })
      .map(done -> {
        assertFinalFiles("good.bin");
        return null;
      })
      .onComplete(testContext.succeedingThenComplete());
  }

  @Test
  void headerOfOneByteMoreThanTheLimitIsMalformed(VertxTestContext testContext) {
    Buffer hello = helloOfLength(SMALL_HEADER_LIMIT + 1);
    afterBadClient(smallHeaderLimit(), "good.bin", server -> connect(server).compose(client -> {
      client.sendRaw(hello);
      return client.expectFatal(ErrorCode.MALFORMED);
    }), testContext);
  }

  /** @return a hello line whose JSON (the {@code \n} not counted) is exactly {@code length} bytes */
  private static Buffer helloOfLength(int length) {
    int bare = new Message.Hello(Message.VERSION, "c", null).toBuffer().length() - 1;
    Buffer line = new Message.Hello(Message.VERSION, "c" + "x".repeat(length - bare), null).toBuffer();
    assertEquals(length + 1, line.length());
    return line;
  }

  @Test
  void negativeSizeIsMalformed(VertxTestContext testContext) {
    afterBadClient(options(), "minus.bin", server -> connectReady(server).compose(client -> {
      client.sendRaw("{\"type\":\"offer\",\"id\":1,\"name\":\"minus.bin\",\"size\":-1}\n");
      return client.expectFatal(ErrorCode.MALFORMED);
    }), testContext);
  }

  @Test
  void tooLargeIsRefusedAndTheConnectionStaysUsable(VertxTestContext testContext) {
    ServerOptions options = options();
    options.getLimits().setMaxFileBytes(20_000);
    byte[] atTheLimit = content(20_000, 5);
    afterBadClient(options, "good.bin", server -> connectReady(server).compose(client -> {
      client.offer(1, "big.bin", 20_001);
      return client.expectError(ErrorCode.TOO_LARGE, 1L)
        .compose(error -> client.upload(2, "limit.bin", atTheLimit))
        .map(done -> {
          assertStored("limit.bin", atTheLimit);
          assertFalse(Files.exists(stored("big.bin")));
          return null;
        })
        .compose(v -> client.close());
    }), testContext, "limit.bin");
  }

  @Test
  void truncatedBodyWithResumeOffLeavesNothing(VertxTestContext testContext) {
    byte[] content = content(STREAMED_SIZE + 4 * CHUNK_BYTES, 6);
    afterBadClient(options().setResume(false), "cut.bin", server -> connectReady(server)
      .compose(client -> sendPartOfBody(client, "cut.bin", content, WireClient.MTIME))
      .compose(partial -> connectReady(server).compose(probe ->
        probe.offerUntilSent(offer(1, "cut.bin", content.length, WireClient.MTIME), RETRIES)
          .map(send -> {
            assertEquals(0, send.offset());
            assertFalse(Files.exists(partial), "the partial of the interrupted upload is still there");
            assertTrue(partials().isEmpty(), "partials: " + partials());
            assertFinalFiles();
            return null;
          })
          .compose(v -> probe.close()))), testContext);
  }

  @Test
  void truncatedBodyKeepsOnlyAHiddenPartialThatTheSameOfferResumes(VertxTestContext testContext) {
    byte[] content = content(STREAMED_SIZE + 4 * CHUNK_BYTES, 7);
    afterBadClient(options(), "cut.bin", server -> connectReady(server)
      .compose(client -> sendPartOfBody(client, "cut.bin", content, WireClient.MTIME))
      .compose(partial -> connectReady(server).compose(probe ->
        probe.offerUntilSent(offer(1, "cut.bin", content.length, WireClient.MTIME).withResumeId(resumeId), RETRIES)
          .map(send -> {
            assertTrue(send.offset() > 0, "resumes from the kept partial: " + send);
            assertEquals(List.of(partial), partials());
            assertEquals(".cut.bin.kirim-part", partial.getFileName().toString());
            assertFinalFiles();
            return null;
          })
          .compose(v -> probe.close()))), testContext);
  }

  /**
   * Offers {@code name}, sends about 40 % of the body, waits until the server has written part of it to a
   * partial file, and closes the connection.
   *
   * @return the partial file
   */
  private Future<Path> sendPartOfBody(WireClient client, String name, byte[] content, Long mtime) {
    int part = 8 * CHUNK_BYTES + 100;
    client.send(offer(1, name, content.length, mtime));
    return client.expect(Message.Send.class)
      .compose(send -> {
        resumeId = send.resumeId();
        return client.sendRaw(new Message.Data(1, 0, content.length).toBuffer().appendBytes(content, 0, part));
      })
      .compose(v -> awaitPartial(CHUNK_BYTES))
      .compose(partial -> client.close().map(partial))
      .map(partial -> {
        assertFalse(Files.exists(stored(name)), "the final name exists after an interrupted upload");
        return partial;
      });
  }

  /**
   * The client goes away right after a data header, while the server is still creating the directories and
   * opening the partial file: that file must not be created (or left open) after the clean-up. Done twenty
   * times, and checked only after all the names were uploaded again, so a late open has had time to happen.
   */
  @Test
  void clientGoneWhileThePartialIsBeingOpened(VertxTestContext testContext) {
    int rounds = 20;
    byte[] content = content(STREAMED_SIZE, 16);
    startServer()
      .compose(server -> goAwayAfterDataHeader(server, 0, rounds, content)
        .compose(v -> uploadAgain(server, 0, rounds)))
      .map(v -> {
        assertNoPartials();
        assertEquals(rounds, finalFiles().size());
        return null;
      })
      .onComplete(testContext.succeedingThenComplete());
  }

  private Future<Void> goAwayAfterDataHeader(KirimServer server, int round, int rounds, byte[] content) {
    if (round == rounds) {
      return Future.succeededFuture();
    }
    String name = "gone/" + round + "/file.bin";
    return connectReady(server)
      .compose(client -> {
        client.offer(1, name, content.length);
        return client.expect(Message.Send.class)
          .compose(send -> client.sendRaw(new Message.Data(1, 0, content.length).toBuffer().appendBytes(content, 0, 10)))
          .compose(v -> client.close());
      })
      .compose(v -> goAwayAfterDataHeader(server, round + 1, rounds, content));
  }

  private Future<Void> uploadAgain(KirimServer server, int round, int rounds) {
    if (round == rounds) {
      return Future.succeededFuture();
    }
    return assertFreshClientUploads(server, "gone/" + round + "/file.bin")
      .compose(v -> uploadAgain(server, round + 1, rounds));
  }

  @Test
  void bodyLongerThanAnnouncedIsMalformed(VertxTestContext testContext) {
    byte[] content = content(100, 8);
    afterBadClient(options(), "long.bin", server -> connectReady(server).compose(client -> {
      client.offer(1, "long.bin", 50);
      return client.expect(Message.Send.class)
        .compose(send -> {
          client.sendRaw(new Message.Data(1, 0, 50).toBuffer().appendBytes(content));
          client.send(new Message.Commit(1, Checksums.crc32c(WireClient.slice(content, 0, 50))));
          return client.expectFatal(ErrorCode.MALFORMED);
        });
    }), testContext);
  }

  @Test
  void bodyShorterThanTheOfferIsASizeMismatch(VertxTestContext testContext) {
    byte[] content = content(100, 9);
    afterBadClient(options(), "short.bin", server -> connectReady(server).compose(client -> {
      client.offer(1, "short.bin", 100);
      return client.expect(Message.Send.class)
        .compose(send -> {
          client.sendRaw(new Message.Data(1, 0, 99).toBuffer().appendBytes(content, 0, 99));
          return client.expectFatal(ErrorCode.SIZE_MISMATCH);
        });
    }), testContext);
  }

  /**
   * The client goes away after the whole body but before its commit: nothing is published, nothing is left
   * (no mtime, so no resume), and the name is not left claimed.
   */
  @ParameterizedTest(name = "{0} bytes")
  @ValueSource(ints = {3 * CHUNK_BYTES, STREAMED_SIZE})
  void clientGoneBetweenBodyAndCommit(int size, VertxTestContext testContext) {
    byte[] content = content(size, 10);
    afterBadClient(options(), "nocommit.bin", server -> connectReady(server).compose(client -> {
      client.offer(1, "nocommit.bin", content.length);
      return client.expect(Message.Send.class)
        .compose(send -> {
          client.sendBody(1, content, 0);
          // A streamed body can be watched arriving on disk; a small one is only in memory until the commit.
          return size > Upload.BUFFERED_MAX_BYTES ? awaitPartial(size).mapEmpty() : Future.succeededFuture();
        })
        .map(v -> {
          assertFinalFiles();
          return null;
        })
        .compose(v -> client.close());
    }), testContext);
  }

  @Test
  void unknownMessageType(VertxTestContext testContext) {
    afterBadClient(options(), "good.bin", server -> connectReady(server).compose(client -> {
      client.sendRaw("{\"type\":\"delete\",\"id\":1,\"name\":\"good.bin\"}\n");
      return client.expectFatal(ErrorCode.MALFORMED).map(error -> {
        assertTrue(error.message().contains("delete"), error.message());
        return null;
      });
    }), testContext);
  }

  @Test
  void aServerMessageFromTheClient(VertxTestContext testContext) {
    afterBadClient(options(), "good.bin", server -> connectReady(server).compose(client -> {
      client.send(new Message.Done(1, "good.bin", 0, "crc32c:00000000"));
      return client.expectFatal(ErrorCode.UNEXPECTED);
    }), testContext);
  }

  /** A second body started after the first one's bytes, instead of its commit: an error that leaves no name claimed. */
  @Test
  void dataForASecondUploadMidBodyReleasesEveryClaim(VertxTestContext testContext) {
    ServerOptions options = options();
    // No waiting: a name left claimed would turn the good client away at once, and show.
    options.getLimits().setSameNameWaitMs(0);
    byte[] one = content(STREAMED_SIZE, 30);
    afterBadClient(options, "two.bin", server -> connectReady(server).compose(client -> {
      client.offer(1, "one.bin", one.length);
      client.offer(2, "two.bin", 5);
      return client.expect(Message.Send.class)
        .compose(send -> client.expect(Message.Send.class))
        .compose(send -> {
          client.sendRaw(new Message.Data(1, 0, one.length).toBuffer().appendBytes(one));
          client.send(new Message.Data(2, 0, 5));
          return client.expectFatal(ErrorCode.UNEXPECTED);
        });
    }), testContext);
  }

  @Test
  void offerBeforeHello(VertxTestContext testContext) {
    afterBadClient(options(), "early.bin", server -> connect(server).compose(client -> {
      client.offer(1, "early.bin", 1);
      return client.expectFatal(ErrorCode.UNEXPECTED);
    }), testContext);
  }

  @Test
  void wrongProtocolVersion(VertxTestContext testContext) {
    afterBadClient(options(), "good.bin", server -> connect(server).compose(client -> {
      client.send(new Message.Hello(Message.VERSION + 1, "future-client", null));
      return client.expectFatal(ErrorCode.UNSUPPORTED_VERSION);
    }), testContext);
  }

  @Test
  void aVersionOneClientIsToldToUpgrade(VertxTestContext testContext) {
    afterBadClient(options(), "good.bin", server -> connect(server).compose(client -> {
      client.send(new Message.Hello(1, "old-client", null));
      return client.expectFatal(ErrorCode.UNSUPPORTED_VERSION).map(error -> {
        assertTrue(error.message().contains("version 2") && error.message().contains("upgrade the client"),
          error.message());
        return error;
      });
    }), testContext);
  }

  @Test
  void silentClientTimesOut(VertxTestContext testContext) {
    afterBadClient(shortHeaderTimeout(), "good.bin", server -> {
      long start = System.nanoTime();
      return connect(server).compose(client -> client.expectFatal(ErrorCode.TIMEOUT)).map(error -> {
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertTrue(millis >= SHORT_TIMEOUT_MS, "timed out after " + millis + " ms");
        return null;
      });
    }, testContext);
  }

  /** Each byte comes well within the deadline, but the line as a whole does not: the deadline is absolute. */
  @Test
  void clientDrippingAHeaderTimesOut(VertxTestContext testContext) {
    Buffer line = offer(1, "drip.bin", 1, WireClient.MTIME).toBuffer();
    long intervalMs = SHORT_TIMEOUT_MS / 10;
    assertTrue(line.length() * intervalMs > 3 * SHORT_TIMEOUT_MS, "the line is too short to outlast the deadline");
    afterBadClient(shortHeaderTimeout(), "drip.bin", server -> connectReady(server).compose(client -> {
      AtomicInteger dripped = new AtomicInteger();
      long timer = vertx.setPeriodic(intervalMs, id -> {
        int next = dripped.getAndIncrement();
        if (next < line.length() && !client.isClosed()) {
          client.sendRaw(line.slice(next, next + 1));
        }
      });
      return client.expectFatal(ErrorCode.TIMEOUT).map(error -> {
        vertx.cancelTimer(timer);
        assertTrue(dripped.get() < line.length(), "the whole line was sent before the timeout");
        return null;
      });
    }), testContext);
  }

  /**
   * A slow link whose every read ends inside a header line: each line ends well within the header timeout,
   * though the lines together take longer. Each line has the whole timeout from its own start.
   */
  @Test
  void linesThatEachEndInTimeNeverTimeOutTogether(VertxTestContext testContext) {
    Buffer ping = new Message.Ping().toBuffer();
    int half = ping.length() / 2;
    // Each line takes one interval, 350 ms less than the timeout (room for a loaded machine's timers);
    // the six together take almost twice the timeout.
    int lines = 6;
    long intervalMs = SHORT_TIMEOUT_MS * 3 / 10;
    // The halves of consecutive lines go together: ping 1's end with ping 2's start, and so on.
    List<Buffer> reads = new ArrayList<>(List.of(ping.slice(0, half)));
    for (int i = 1; i < lines; i++) {
      reads.add(ping.slice(half, ping.length()).copy().appendBuffer(ping.slice(0, half)));
    }
    reads.add(ping.slice(half, ping.length()));
    startServer(shortHeaderTimeout())
      .compose(this::connectReady)
      .compose(client -> {
        for (int i = 0; i < reads.size(); i++) {
          Buffer read = reads.get(i);
          vertx.setTimer(1 + i * intervalMs, id -> client.sendRaw(read));
        }
        Future<?> pongs = Future.succeededFuture();
        for (int i = 0; i < lines; i++) {
          pongs = pongs.compose(v -> client.expect(Message.Pong.class));
        }
        return pongs.map(v -> {
          assertFalse(client.isClosed(), "closed after " + lines + " lines over " + (lines * intervalMs) + " ms");
          return null;
        });
      })
      .onComplete(testContext.succeedingThenComplete());
  }

  @Test
  void silentClientAfterHelloIsClosedByTheIdleTimeout(VertxTestContext testContext) {
    // No fsync: the good client afterwards must not stall for the idle timeout on a slow disk.
    ServerOptions options = options().setFsync(false);
    options.getLimits().setIdleTimeoutMs(500);
    afterBadClient(options, "good.bin", server -> connectReady(server).compose(WireClient::closed), testContext);
  }

  @Test
  void dataWithoutOffer(VertxTestContext testContext) {
    afterBadClient(options(), "good.bin", server -> connectReady(server).compose(client -> {
      client.sendBody(5, content(10, 11), 0);
      return client.expectFatal(ErrorCode.UNEXPECTED);
    }), testContext);
  }

  @Test
  void commitBeforeData(VertxTestContext testContext) {
    afterBadClient(options(), "early.bin", server -> connectReady(server).compose(client -> {
      client.offer(1, "early.bin", 10);
      return client.expect(Message.Send.class).compose(send -> {
        client.send(new Message.Commit(1, Checksums.crc32c(content(10, 12))));
        return client.expectFatal(ErrorCode.UNEXPECTED);
      });
    }), testContext);
  }

  @Test
  void checksumMismatchStoresNothing(VertxTestContext testContext) {
    byte[] content = content(5 * CHUNK_BYTES + 1, 13);
    String wrong = Checksums.crc32c(content(5 * CHUNK_BYTES + 1, 14));
    assertFalse(wrong.equals(Checksums.crc32c(content)));
    afterBadClient(options(), "mismatch.bin", server -> connectReady(server).compose(client -> {
      client.offer(1, "mismatch.bin", content.length);
      return client.expect(Message.Send.class)
        .compose(send -> {
          client.sendBody(1, content, 0);
          client.send(new Message.Commit(1, wrong));
          return client.expectError(ErrorCode.CHECKSUM_MISMATCH, 1L);
        })
        .map(error -> {
          assertFinalFiles();
          assertNoPartials();
          return null;
        })
        // Not fatal: the same connection may offer again, and the name is no longer claimed.
        .compose(v -> {
          client.offer(2, "mismatch.bin", content.length);
          return client.expect(Message.Send.class);
        })
        .compose(send -> client.close());
    }), testContext);
  }

  @Test
  void duplicateOfferId(VertxTestContext testContext) {
    afterBadClient(options(), "dup-a.bin", server -> connectReady(server).compose(client -> {
      client.offer(1, "dup-a.bin", 10);
      client.offer(1, "dup-b.bin", 10);
      // The first offer's send may or may not come first: a connection-level error may come at any time.
      return client.next().compose(first -> {
        if (first instanceof Message.Send send) {
          assertEquals(new Message.Send(1, 0), send);
          return client.expectFatal(ErrorCode.UNEXPECTED).<Void>mapEmpty();
        }
        WireClient.check(first instanceof Message.Error error && error.id() == null
          && error.code() == ErrorCode.UNEXPECTED, "expected send or error unexpected, got " + first);
        return client.closed();
      });
    }), testContext);
  }

  @Test
  void manyBadClientsAtOnce(VertxTestContext testContext) {
    Random random = new Random(15);
    afterBadClient(options(), "good.bin", server -> {
      List<Future<Message.Error>> all = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        byte[] garbage = new byte[1 + random.nextInt(500)];
        random.nextBytes(garbage);
        all.add(connect(server).compose(client -> {
          client.sendRaw(Buffer.buffer(garbage).appendString("\n"));
          return client.expectFatal(ErrorCode.MALFORMED);
        }));
      }
      return Future.all(all);
    }, testContext);
  }
}
