package dev.kirim.server;

import dev.kirim.protocol.ErrorCode;
import dev.kirim.protocol.Message;
import dev.kirim.server.auth.TokenHash;
import dev.kirim.testkit.Checksums;
import dev.kirim.testkit.WireClient;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Small files sent whole ({@code put}): many in one write, stored together, each answered as its commit. */
class PutTest extends ServerTestBase {

  private static Message.Put put(long id, String name, byte[] content) {
    return new Message.Put(id, name, content.length, WireClient.MTIME, null, Checksums.crc32c(content), null, null);
  }

  /** The put line and its body, as a client writes them. */
  private static Buffer wire(Message.Put put, byte[] content) {
    return put.toBuffer().appendBytes(content);
  }

  /**
   * Durable, batches overlap; without fsync each connection stores one batch at a time and gathers the next
   * meanwhile: in both, every put is stored and answered in order.
   */
  @ParameterizedTest(name = "fsync {0}")
  @ValueSource(booleans = {true, false})
  void manyPutsInOneWriteAreEachStoredAndAnsweredInOrder(boolean fsync, VertxTestContext testContext) {
    int count = 200;
    List<byte[]> contents = new ArrayList<>();
    Buffer burst = Buffer.buffer();
    for (int i = 0; i < count; i++) {
      byte[] content = content(i * 37 % 5000, i);
      contents.add(content);
      burst.appendBuffer(wire(put(i, "dir" + i % 3 + "/f" + i + ".bin", content), content));
    }
    startServer(options().setFsync(fsync))
      .compose(this::connectReady)
      .compose(client -> {
        client.sendRaw(burst);
        return collect(client, count);
      })
      .map(replies -> {
        for (int i = 0; i < count; i++) {
          String name = "dir" + i % 3 + "/f" + i + ".bin";
          assertEquals(new Message.Done(i, name, contents.get(i).length, Checksums.crc32c(contents.get(i))),
            replies.get(i));
          assertStored(name, contents.get(i));
        }
        assertEquals(count, finalFiles().size());
        assertTrue(partials().isEmpty(), "partials left: " + partials());
        return null;
      })
      .onComplete(testContext.succeedingThenComplete());
  }

  /**
   * Without fsync a connection gathers puts while a batch is stored. Closed then, it leaves no name claimed (an
   * offer of a claimed name would wait: each of them is offered again here) and no partial file.
   */
  @Test
  void aConnectionClosedWhileItsPutsAreStoredHoldsNoNameAndLeavesNoPartial(VertxTestContext testContext) {
    int count = 300;
    byte[] content = content(4000, 7);
    Buffer burst = Buffer.buffer();
    for (int i = 0; i < count; i++) {
      burst.appendBuffer(wire(put(i, "c/f" + i, content), content));
    }
    startServer(options().setFsync(false))
      .compose(server -> connectReady(server)
        .compose(first -> {
          first.sendRaw(burst);
          // A batch was stored: the next ones are on their way, or gathered.
          return first.expect(Message.Done.class).compose(done -> first.close());
        })
        .compose(closed -> connectReady(server)))
      .compose(second -> offerEach(second, content, 0, count))
      .map(v -> {
        for (int i = 0; i < count; i++) {
          assertStored("c/f" + i, content);
        }
        assertTrue(partials().isEmpty(), "partials left: " + partials());
        return null;
      })
      .onComplete(testContext.succeedingThenComplete());
  }

  /** Offers c/f{from} to c/f{count - 1} one after another, sending the body when asked: each ends stored. */
  private static Future<Void> offerEach(WireClient client, byte[] content, int from, int count) {
    if (from == count) {
      return Future.succeededFuture();
    }
    long id = 1000 + from;
    client.send(new Message.Offer(id, "c/f" + from, content.length, WireClient.MTIME, null));
    return client.next().compose(reply -> {
      if (reply instanceof Message.Send send) {
        client.sendBody(id, content, (int) send.offset());
        client.send(new Message.Commit(id, Checksums.crc32c(content)));
        return client.expect(Message.Done.class).<Void>mapEmpty();
      }
      assertTrue(assertInstanceOf(Message.Skip.class, reply).same(), reply::toString);
      return Future.<Void>succeededFuture();
    }).compose(v -> offerEach(client, content, from + 1, count));
  }

  @Test
  void aPutKeepsTheSendersMtimeAndASecondPutOfTheSameFileIsSkippedAsTheSame(VertxTestContext testContext) {
    byte[] content = content(4096, 3);
    startServer()
      .compose(this::connectReady)
      .compose(client -> {
        client.sendRaw(wire(put(1, "a.txt", content), content));
        return client.expect(Message.Done.class)
          .compose(done -> {
            client.sendRaw(wire(put(2, "a.txt", content), content));
            return client.expect(Message.Skip.class);
          });
      })
      .map(skip -> {
        assertTrue(skip.same(), "skip: " + skip);
        assertEquals(Checksums.crc32c(content), skip.checksum());
        assertEquals(FileTime.fromMillis(WireClient.MTIME), uncheckedMtime("a.txt"));
        return null;
      })
      .onComplete(testContext.succeedingThenComplete());
  }

  @Test
  void aPutOfADifferingFileFollowsThePolicy(VertxTestContext testContext) {
    byte[] original = content(100, 1);
    byte[] changed = content(100, 2);
    startServer()
      .compose(this::connectReady)
      .compose(client -> {
        client.sendRaw(wire(put(1, "a.txt", original), original));
        return client.expect(Message.Done.class)
          .compose(done -> {
            client.sendRaw(wire(put(2, "a.txt", changed), changed));
            return client.expect(Message.Skip.class);
          });
      })
      .map(skip -> {
        assertEquals(Message.Skip.DIFFERS, skip.reason());
        assertStored("a.txt", original);
        return null;
      })
      .onComplete(testContext.succeedingThenComplete());
  }

  @Test
  void aPutWhoseBytesDoNotMatchItsChecksumIsRefusedAndLeavesNothingWhileTheOthersAreStored(
    VertxTestContext testContext) {
    byte[] good = content(3000, 1);
    byte[] bad = content(3000, 2);
    Message.Put lying = new Message.Put(2, "bad.bin", bad.length, WireClient.MTIME, null, Checksums.crc32c(good),
      null, null);
    byte[] after = content(10, 3);
    startServer()
      .compose(this::connectReady)
      .compose(client -> {
        client.sendRaw(wire(put(1, "good.bin", good), good).appendBuffer(wire(lying, bad))
          .appendBuffer(wire(put(3, "after.bin", after), after)));
        return collect(client, 3);
      })
      .map(replies -> {
        assertInstanceOf(Message.Done.class, replies.get(0));
        Message.Error error = assertInstanceOf(Message.Error.class, replies.get(1));
        assertEquals(ErrorCode.CHECKSUM_MISMATCH, error.code());
        assertEquals(2L, error.id());
        assertInstanceOf(Message.Done.class, replies.get(2));
        assertFinalFiles("after.bin", "good.bin");
        assertTrue(partials().isEmpty(), "partials left: " + partials());
        return null;
      })
      .onComplete(testContext.succeedingThenComplete());
  }

  /**
   * A link under a put's name is refused under every policy, and nothing goes through it: one to a file
   * outside, and one to nothing, which a quick look for a free name takes for free (the publish's link then
   * fails on it and the name is looked at properly).
   */
  @Test
  void aPutOntoALinkIsRefusedUnderEveryPolicyWhereverTheLinkLeads(VertxTestContext testContext) throws Exception {
    byte[] content = content(1500, 4);
    Path outside = Files.writeString(tempDir.resolve("outside.txt"), "not the server's");
    Path toFile = Files.createSymbolicLink(storage.resolve("to-file.txt"), outside);
    Path dangling = Files.createSymbolicLink(storage.resolve("dangling.txt"), tempDir.resolve("nothing-here.txt"));
    // One policy after the other: servers on one storage directory share its upload claims.
    Future<?> policies = Future.succeededFuture();
    long id = 0;
    for (OnExisting policy : OnExisting.values()) {
      long first = id += 2;
      policies = policies
        .compose(v -> startServer(options().setOnExisting(policy)))
        .compose(this::connectReady)
        .compose(client -> {
          client.sendRaw(wire(put(first, "to-file.txt", content), content)
            .appendBuffer(wire(put(first + 1, "dangling.txt", content), content)));
          return collect(client, 2).compose(replies -> {
            for (Message reply : replies) {
              assertTrue(reply instanceof Message.Error error && error.code() == ErrorCode.BAD_NAME,
                policy + ": " + reply);
            }
            return client.close();
          });
        });
    }
    policies
      .map(v -> {
        assertEquals("not the server's", uncheckedRead(outside));
        assertTrue(Files.isSymbolicLink(toFile) && Files.isSymbolicLink(dangling), "a link was replaced");
        assertFalse(Files.exists(tempDir.resolve("nothing-here.txt")), "written through the dangling link");
        assertTrue(partials().isEmpty(), "partials left: " + partials());
        return null;
      })
      .onComplete(testContext.succeedingThenComplete());
  }

  /** A put writes a partial of its own: a resumable one of the name, or a link planted there, is left alone. */
  @Test
  void aPutLeavesAResumablePartialOfItsNameAloneAndNeverWritesThroughALinkThere(VertxTestContext testContext)
    throws Exception {
    byte[] first = content(2000, 1);
    byte[] second = content(3000, 2);
    // A partial of another version, labelled for a resume, and a link planted under a partial's name.
    Path leftover = storage.resolve(".a.bin.kirim-part");
    byte[] leftoverBytes = content(500, 9);
    Files.write(leftover, leftoverBytes);
    ExtendedAttributes attributes = ExtendedAttributes.probe(storage);
    attributes.write(leftover, PartialFiles.RESUME_ATTRIBUTE, "a.bin|500|1|crc32c||someone");
    Path outside = Files.writeString(tempDir.resolve("outside.txt"), "not the server's");
    Path link = Files.createSymbolicLink(storage.resolve(".b.bin.kirim-part"), outside);
    startServer()
      .compose(this::connectReady)
      .compose(client -> {
        client.sendRaw(wire(put(1, "a.bin", first), first).appendBuffer(wire(put(2, "b.bin", second), second)));
        return collect(client, 2);
      })
      .map(replies -> {
        assertInstanceOf(Message.Done.class, replies.get(0));
        assertInstanceOf(Message.Done.class, replies.get(1));
        assertStored("a.bin", first);
        assertStored("b.bin", second);
        assertFalse(Files.isSymbolicLink(stored("b.bin")), "b.bin was published as the planted link");
        assertEquals("not the server's", uncheckedRead(outside));
        assertNull(attributes.read(stored("a.bin"), PartialFiles.RESUME_ATTRIBUTE),
          "a resume label on the published file");
        assertArrayEquals(leftoverBytes, uncheckedBytes(leftover));
        assertTrue(Files.isSymbolicLink(link), "the planted link was touched");
        // Only the two planted ones: the puts' own partials are gone.
        assertEquals(names(List.of(leftover, link)), names(partials()));
        return null;
      })
      .onComplete(testContext.succeedingThenComplete());
  }

  @Test
  void aPutOfABadNameIsRefusedAndTheConnectionReadsOnPastItsBody(VertxTestContext testContext) {
    byte[] content = content(500, 1);
    startServer()
      .compose(this::connectReady)
      .compose(client -> {
        client.sendRaw(wire(put(1, "../escape.txt", content), content)
          .appendBuffer(wire(put(2, "fine.txt", content), content)));
        return collect(client, 2);
      })
      .map(replies -> {
        assertEquals(ErrorCode.BAD_NAME, assertInstanceOf(Message.Error.class, replies.get(0)).code());
        assertInstanceOf(Message.Done.class, replies.get(1));
        assertOnlyStored("fine.txt", content);
        return null;
      })
      .onComplete(testContext.succeedingThenComplete());
  }

  @Test
  void aPutOfANameAnotherConnectionIsUploadingIsBusyWhileAnOfferWouldWait(VertxTestContext testContext) {
    byte[] big = content(Upload.BUFFERED_MAX_BYTES + 10, 1);
    byte[] small = content(10, 2);
    startServer()
      .compose(server -> connectReady(server).compose(uploader -> {
        uploader.offer(1, "shared.bin", big.length);
        return uploader.expect(Message.Send.class)
          .compose(send -> connectReady(server))
          .compose(putter -> {
            putter.sendRaw(wire(put(1, "shared.bin", small), small));
            return putter.expectError(ErrorCode.BUSY, 1L);
          })
          .compose(busy -> uploader.finishUpload(1, big, 0));
      }))
      .map(done -> {
        assertOnlyStored("shared.bin", big);
        return null;
      })
      .onComplete(testContext.succeedingThenComplete());
  }

  @Test
  void aPutBetweenABodyAndItsCommitIsUnexpected(VertxTestContext testContext) {
    byte[] big = content(Upload.BUFFERED_MAX_BYTES + 10, 1);
    byte[] small = content(10, 2);
    startServer()
      .compose(this::connectReady)
      .compose(client -> {
        client.offer(1, "big.bin", big.length);
        return client.expect(Message.Send.class).compose(send -> {
          client.sendBody(1, big, 0);
          client.sendRaw(wire(put(2, "small.bin", small), small));
          return client.expectFatal(ErrorCode.UNEXPECTED);
        });
      })
      .map(error -> {
        assertTrue(error.message().contains("'put'"), error.message());
        assertEquals(List.of(), finalFiles());
        return null;
      })
      .onComplete(testContext.succeedingThenComplete());
  }

  /**
   * Puts count against an authenticated client's quota like uploads: a put that is skipped gives its
   * reservation back, one stored keeps it, and the one past the quota is refused.
   */
  @Test
  void putsLandInTheClientsDirectoryAndCountAgainstItsQuota(VertxTestContext testContext) throws Exception {
    Path tokens = tempDir.resolve("tokens.json");
    Files.writeString(tokens, new JsonObject().put("clients", new JsonArray().add(new JsonObject()
      .put("name", "aji").put("tokenSha256", TokenHash.hex("aji-token-0123456789")).put("dir", "aji")
      .put("maxFiles", 2))).encode());
    byte[] a = content(100, 1);
    byte[] b = content(200, 2);
    byte[] c = content(300, 3);
    // fsync off: one worker task decides the three in order (with fsync, b and c would race for the last file).
    startServer(options().setFsync(false).setAuth(AuthOptions.tokens(tokens)))
      .compose(this::connect)
      .compose(client -> client.hello("aji-token-0123456789").compose(welcome -> {
        client.sendRaw(wire(put(1, "a.txt", a), a));
        return collect(client, 1).compose(first -> {
          // One read: a.txt again (skipped), then two new files of which the quota takes one.
          client.sendRaw(wire(put(3, "a.txt", a), a).appendBuffer(wire(put(4, "b.txt", b), b))
            .appendBuffer(wire(put(5, "c.txt", c), c)));
          return collect(client, 3).map(second -> List.of(first, second));
        });
      }))
      .map(replies -> {
        assertInstanceOf(Message.Done.class, replies.get(0).get(0));
        assertEquals("a.txt", ((Message.Done) replies.get(0).get(0)).name(), "named inside the client's directory");
        assertTrue(assertInstanceOf(Message.Skip.class, replies.get(1).get(0)).same());
        assertInstanceOf(Message.Done.class, replies.get(1).get(1), "a skipped put gave its reservation back");
        assertEquals(ErrorCode.QUOTA_EXCEEDED, assertInstanceOf(Message.Error.class, replies.get(1).get(2)).code());
        assertArrayEquals(a, read("aji/a.txt"));
        assertArrayEquals(b, read("aji/b.txt"));
        assertFalse(Files.exists(stored("aji/c.txt")));
        return null;
      })
      .onComplete(testContext.succeedingThenComplete());
  }

  /**
   * The bodies of puts waiting for their reply are bounded in bytes too: past {@code maxPendingBytes} the
   * server reads nothing more (not even a ping, which it answers at once) until replies free the room. The
   * worker pool is kept busy so that the puts wait.
   */
  @Test
  void putsWaitingInMemoryUpToMaxPendingBytesHoldReadingUntilAnswered(VertxTestContext testContext) {
    byte[] one = content(40_000, 1);
    byte[] two = content(40_000, 2);
    Promise<Void> release = Promise.promise();
    clientWithWorkersBusy(release)
      .compose(client -> {
        // 40 000 bytes wait: below the bound, the ping is read and answered at once.
        client.sendRaw(wire(put(1, "one.bin", one), one).appendBuffer(new Message.Ping().toBuffer()));
        return client.expect(Message.Pong.class).compose(pong -> {
          // 80 000 bytes wait: the ping behind them is not read while they do.
          client.sendRaw(wire(put(2, "two.bin", two), two).appendBuffer(new Message.Ping().toBuffer()));
          Future<Message> first = client.next();
          Promise<Void> looked = Promise.promise();
          vertx.setTimer(500, id -> looked.complete());
          return looked.future().compose(v -> {
            assertFalse(first.isComplete(), "read past the held bytes: " + first.result());
            release.complete();
            return first;
          }).compose(reply -> {
            assertEquals(new Message.Done(1, "one.bin", one.length, Checksums.crc32c(one)), reply);
            return collect(client, 2);
          });
        });
      })
      .map(rest -> {
        assertTrue(rest.contains(new Message.Pong()), rest::toString);
        assertTrue(rest.contains(new Message.Done(2, "two.bin", two.length, Checksums.crc32c(two))), rest::toString);
        assertStored("one.bin", one);
        assertStored("two.bin", two);
        return null;
      })
      .onComplete(ar -> endReleasing(release, testContext, ar));
  }

  /**
   * Reading never pauses inside a put's body, even when a reply that lands meanwhile leaves the bytes held at
   * the bound: that put is answered only once its body is in, so such a pause would last until the idle
   * timeout. Here a 1-byte put waits (the worker pool is kept busy) while a 64 KiB put's body is half sent;
   * the small one is answered, and the rest of the large one must still be read.
   */
  @Test
  void aReplyLandingWhileAPutsBodyIsReadDoesNotPauseReadingInsideIt(VertxTestContext testContext) {
    byte[] small = content(1, 1);
    byte[] large = content(65_536, 2);
    Promise<Void> release = Promise.promise();
    clientWithWorkersBusy(release)
      .compose(client -> {
        client.sendRaw(wire(put(1, "small.bin", small), small).appendBuffer(put(2, "large.bin", large).toBuffer())
          .appendBytes(large, 0, 30_000));
        // No reply can say that the server has read this far into a body, so it is given a moment before the
        // small put is answered. Should it read later, the test passes without having tested: it never fails
        // by chance.
        Promise<Void> moment = Promise.promise();
        vertx.setTimer(300, id -> moment.complete());
        return moment.future().compose(v -> {
          release.complete();
          return client.expect(Message.Done.class);
        }).compose(done -> {
          assertEquals(new Message.Done(1, "small.bin", 1, Checksums.crc32c(small)), done);
          client.sendRaw(Buffer.buffer(large).slice(30_000, large.length));
          return client.expect(Message.Done.class);
        });
      })
      .map(done -> {
        assertEquals(new Message.Done(2, "large.bin", large.length, Checksums.crc32c(large)), done);
        assertStored("large.bin", large);
        return null;
      })
      .onComplete(ar -> endReleasing(release, testContext, ar));
  }

  /**
   * A client connected to a server without fsync whose waiting requests may hold 64 KiB of bodies, with the
   * worker pool kept busy until {@code release} completes, so that its puts wait.
   */
  private Future<WireClient> clientWithWorkersBusy(Promise<Void> release) {
    ServerOptions options = options().setFsync(false);
    options.getLimits().setMaxPendingBytes(65_536);
    return startServer(options).compose(this::connectReady).map(client -> {
      occupyWorkerPool(release);
      return client;
    });
  }

  /** Ends the test with {@code result}, having given the worker pool back whatever happened. */
  private static void endReleasing(Promise<Void> release, VertxTestContext testContext, AsyncResult<?> result) {
    release.tryComplete();
    if (result.succeeded()) {
      testContext.completeNow();
    } else {
      testContext.failNow(result.cause());
    }
  }

  /** Keeps every worker thread busy until {@code release} completes: what the server hands them waits. */
  private void occupyWorkerPool(Promise<Void> release) {
    CountDownLatch busy = new CountDownLatch(VertxOptions.DEFAULT_WORKER_POOL_SIZE);
    for (int i = 0; i < VertxOptions.DEFAULT_WORKER_POOL_SIZE; i++) {
      vertx.executeBlocking(() -> {
        busy.countDown();
        return release.future().toCompletionStage().toCompletableFuture().get();
      }, false);
    }
    try {
      assertTrue(busy.await(10, TimeUnit.SECONDS), "the worker pool did not fill");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** A put is read whole before reading pauses for it: with one request allowed to wait, puts still flow. */
  @Test
  void withOneRequestAllowedToWaitPipelinedPutsAreStillEachStored(VertxTestContext testContext) {
    ServerOptions options = options();
    options.getLimits().setMaxPendingOffers(1);
    Buffer burst = Buffer.buffer();
    List<byte[]> contents = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      byte[] content = content(1000 + i, i);
      contents.add(content);
      burst.appendBuffer(wire(put(i, "p" + i, content), content));
    }
    startServer(options)
      .compose(this::connectReady)
      .compose(client -> {
        client.sendRaw(burst);
        return collect(client, 5);
      })
      .map(replies -> {
        for (int i = 0; i < 5; i++) {
          assertEquals(new Message.Done(i, "p" + i, contents.get(i).length, Checksums.crc32c(contents.get(i))),
            replies.get(i));
          assertStored("p" + i, contents.get(i));
        }
        return null;
      })
      .onComplete(testContext.succeedingThenComplete());
  }

  private static Future<List<Message>> collect(WireClient client, int count) {
    List<Message> replies = new ArrayList<>();
    Future<Void> chain = Future.succeededFuture();
    for (int i = 0; i < count; i++) {
      chain = chain.compose(v -> client.next().map(reply -> {
        replies.add(reply);
        return null;
      }));
    }
    return chain.map(replies);
  }

  private FileTime uncheckedMtime(String name) {
    try {
      return Files.getLastModifiedTime(stored(name));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static String uncheckedRead(Path file) {
    try {
      return Files.readString(file);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static byte[] uncheckedBytes(Path file) {
    try {
      return Files.readAllBytes(file);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static List<String> names(List<Path> paths) {
    return paths.stream().map(path -> path.getFileName().toString()).sorted().toList();
  }
}
