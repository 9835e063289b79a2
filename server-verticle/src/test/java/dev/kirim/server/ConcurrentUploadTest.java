package dev.kirim.server;

import dev.kirim.protocol.ErrorCode;
import dev.kirim.protocol.Message;
import dev.kirim.testkit.Checksums;
import dev.kirim.testkit.WireClient;
import io.vertx.core.Future;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static dev.kirim.testkit.Await.until;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Promise 4 and 5 across connections: one upload per name at a time, and a bounded number of connections. */
class ConcurrentUploadTest extends ServerTestBase {

  private static final String NAME = "shared/data.bin";
  private final byte[] first = content(3 * CHUNK_BYTES + 11, 200);
  private final byte[] second = content(2 * CHUNK_BYTES + 5, 201);

  /** Point of the wait: a race resolves as if the second client had come after the first, never as busy. */
  @Test
  void aSecondOfferOfTheSameNameWaitsForTheFirstUploadThenMeetsThePolicy(VertxTestContext testContext) {
    List<String> events = new java.util.concurrent.CopyOnWriteArrayList<>();
    startServer()
      .compose(server -> Future.all(connectReady(server), connectReady(server)))
      .compose(both -> {
        WireClient a = both.resultAt(0);
        WireClient b = both.resultAt(1);
        a.offer(1, NAME, first.length);
        return a.expect(Message.Send.class)
          .compose(send -> {
            b.offer(1, NAME, second.length);
            Future<Message> waiting = b.next().andThen(ar -> events.add("b answered"));
            // b's offer is held until a's upload ends: a's done comes first.
            return a.finishUpload(1, first, 0).andThen(ar -> events.add("a done")).compose(done -> waiting);
          });
      })
      .map(reply -> {
        assertEquals(new Message.Skip(1, Message.Skip.DIFFERS, first.length, WireClient.MTIME, Checksums.crc32c(first)),
          reply);
        assertEquals(List.of("a done", "b answered"), events);
        assertOnlyStored(NAME, first);
        return null;
      })
      .onComplete(testContext.succeedingThenComplete());
  }

  /** The wait is bounded (by default half the idle timeout): a holder that never finishes gets the others a busy. */
  @Test
  void aWaitLongerThanSameNameWaitMsIsBusy(VertxTestContext testContext) {
    assertEquals(60_000, new ServerLimits().getSameNameWaitMs());
    ServerOptions options = options();
    options.getLimits().setSameNameWaitMs(500);
    startServer(options)
      .compose(server -> Future.all(connectReady(server), connectReady(server)))
      .compose(both -> {
        WireClient a = both.resultAt(0);
        WireClient b = both.resultAt(1);
        a.offer(1, NAME, first.length);
        return a.expect(Message.Send.class).compose(send -> {
          long start = System.nanoTime();
          b.offer(1, NAME, second.length);
          return b.expectError(ErrorCode.BUSY, 1L).map(busy -> {
            assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(450), "waited before busy");
            assertTrue(busy.message().contains("500 ms"), busy.message());
            return null;
          });
        });
      })
      .onComplete(testContext.succeedingThenComplete());
  }

  @Test
  void anOfferOfANameItsOwnConnectionIsUploadingIsBusyAtOnce(VertxTestContext testContext) {
    startServer()
      .compose(this::connectReady)
      .compose(a -> {
        a.offer(1, NAME, first.length);
        return a.expect(Message.Send.class).compose(send -> {
          // Waiting would deadlock: this offer's reply would have to come before the first one's done.
          a.offer(2, NAME, first.length);
          return a.expectError(ErrorCode.BUSY, 2L);
        }).compose(busy -> a.finishUpload(1, first, 0));
      })
      .map(done -> {
        assertOnlyStored(NAME, first);
        return null;
      })
      .onComplete(testContext.succeedingThenComplete());
  }

  /**
   * While one of its offers waits for a name, a connection claims no other name: else a second connection
   * waiting for that one could end up waiting on the first, both until the bound.
   */
  @Test
  void anOfferBehindAWaitingOneClaimsNothingUntilItsTurn(VertxTestContext testContext) {
    startServer()
      .compose(server -> Future.all(connectReady(server), connectReady(server), connectReady(server)))
      .compose(all -> {
        WireClient holder = all.resultAt(0);
        WireClient a = all.resultAt(1);
        WireClient b = all.resultAt(2);
        holder.offer(1, NAME, first.length);
        return holder.expect(Message.Send.class).compose(held -> {
          a.offer(1, NAME, second.length);
          a.offer(2, "other.bin", second.length);
          // b gets other.bin at once: a's offer of it has not claimed it, queued behind a's wait.
          b.offer(1, "other.bin", second.length);
          return b.expect(Message.Send.class)
            .compose(send -> b.finishUpload(1, second, 0))
            .compose(done -> holder.finishUpload(1, first, 0))
            .compose(done -> a.next().compose(one -> a.next().map(two -> List.of(one, two))));
        });
      })
      .map(replies -> {
        assertEquals(Message.Skip.DIFFERS, ((Message.Skip) replies.get(0)).reason(), replies::toString);
        assertTrue(((Message.Skip) replies.get(1)).same(), replies::toString);
        assertStored(NAME, first);
        assertStored("other.bin", second);
        assertFinalFiles("other.bin", NAME);
        return null;
      })
      .onComplete(testContext.succeedingThenComplete());
  }

  /** A connection that goes away while its offer waits takes no claim and touches nothing later. */
  @Test
  void aWaiterWhoseConnectionClosedLeavesTheResumablePartialAlone(VertxTestContext testContext) {
    byte[] big = content(STREAMED_SIZE + 4 * CHUNK_BYTES, 202);
    startServer()
      .compose(server -> Future.all(connectReady(server), connectReady(server)).compose(both -> {
        WireClient holder = both.resultAt(0);
        WireClient gone = both.resultAt(1);
        holder.offer(1, NAME, big.length);
        return holder.expect(Message.Send.class)
          .compose(first -> {
            // Another size: had it run its check, it would discard the holder's partial.
            gone.offer(1, NAME, 10);
            holder.sendRaw(new Message.Data(1, 0, big.length).toBuffer().appendBytes(big, 0, STREAMED_SIZE));
            return awaitPartial(CHUNK_BYTES)
              // The waiter's connection gone on the server's side (its close handled) before the claim is released.
              .compose(partial -> gone.close())
              .compose(v -> until(vertx, () -> server.activity().connections().size() == 1, "the waiter's close handled"))
              .compose(v -> holder.close())
              // The holder comes back with its resume id.
              .compose(v -> connectReady(server)).compose(resumer -> resumer.offerUntilSent(
                  new Message.Offer(1, NAME, big.length, WireClient.MTIME, null).withResumeId(first.resumeId()), RETRIES)
                .compose(send -> {
                  assertTrue(send.offset() > 0, "the holder's partial is still there to resume: " + send);
                  return resumer.finishUpload(send, big);
                }));
          });
      }))
      .map(done -> {
        assertOnlyStored(NAME, big);
        return null;
      })
      .onComplete(testContext.succeedingThenComplete());
  }

  @Test
  void aRefusedClientCannotPushBytesIntoAnotherUpload(VertxTestContext testContext) {
    int half = first.length / 2;
    ServerOptions options = options();
    options.getLimits().setSameNameWaitMs(100);
    startServer(options)
      .compose(server -> Future.all(connectReady(server), connectReady(server)))
      .compose(both -> {
        WireClient a = both.resultAt(0);
        WireClient b = both.resultAt(1);
        a.offer(1, NAME, first.length);
        return a.expect(Message.Send.class)
          .compose(send -> {
            // a is mid-body when b is refused and then sends its bytes anyway.
            a.sendRaw(new Message.Data(1, 0, first.length).toBuffer().appendBytes(first, 0, half));
            b.offer(1, NAME, second.length);
            return b.expectError(ErrorCode.BUSY, 1L);
          })
          .compose(busy -> {
            b.sendBody(1, second, 0);
            b.send(new Message.Commit(1, Checksums.crc32c(second)));
            return b.expectFatal(ErrorCode.UNEXPECTED);
          })
          .compose(error -> {
            a.sendRaw(io.vertx.core.buffer.Buffer.buffer(WireClient.slice(first, half, first.length)));
            a.send(new Message.Commit(1, Checksums.crc32c(first)));
            return a.expect(Message.Done.class);
          });
      })
      .map(done -> {
        assertEquals(first.length, done.bytes());
        assertOnlyStored(NAME, first);
        return null;
      })
      .onComplete(testContext.succeedingThenComplete());
  }

  @Test
  void theClaimIsReleasedWhenItsHolderDisconnects(VertxTestContext testContext) {
    startServer()
      .compose(server -> connectReady(server)
        .compose(a -> {
          a.offer(1, NAME, first.length);
          return a.expect(Message.Send.class).compose(send -> a.close());
        })
        .compose(v -> assertFreshClientUploads(server, NAME)))
      .map(v -> {
        assertFinalFiles(NAME);
        return null;
      })
      .onComplete(testContext.succeedingThenComplete());
  }

  /** Four clients race for one name: exactly one stores it, the others wait and skip it, nothing mixes. */
  @Test
  void racingUploadsOfOneNameHaveOneOutcome(VertxTestContext testContext) {
    int racers = 4;
    List<byte[]> contents = new ArrayList<>();
    for (int i = 0; i < racers; i++) {
      contents.add(content(5 * CHUNK_BYTES + i, 300 + i));
    }
    startServer()
      .compose(server -> {
        List<Future<String>> outcomes = new ArrayList<>();
        for (int i = 0; i < racers; i++) {
          byte[] mine = contents.get(i);
          int racer = i;
          outcomes.add(connectReady(server).compose(client -> race(client, racer, mine)));
        }
        return Future.all(outcomes).map(all -> all.<String>list());
      })
      .map(outcomes -> {
        List<String> winners = outcomes.stream().filter(o -> o.startsWith("done")).toList();
        assertEquals(1, winners.size(), "outcomes: " + outcomes);
        int winner = Integer.parseInt(winners.get(0).substring("done ".length()));
        assertTrue(outcomes.stream().allMatch(o -> o.startsWith("done") || o.equals("skip")), "outcomes: " + outcomes);
        assertOnlyStored(NAME, contents.get(winner));
        return null;
      })
      .onComplete(testContext.succeedingThenComplete());
  }

  private Future<String> race(WireClient client, int racer, byte[] content) {
    client.offer(1, NAME, content.length);
    return client.next().compose(reply -> {
      if (reply instanceof Message.Send) {
        return client.finishUpload(1, content, 0).map(done -> "done " + racer);
      }
      if (reply instanceof Message.Skip skip) {
        WireClient.check(skip.size() != content.length, "a skip names the racer's own size");
        return Future.succeededFuture("skip");
      }
      boolean busy = reply instanceof Message.Error error && error.code() == ErrorCode.BUSY;
      return Future.succeededFuture(busy ? "busy" : "unexpected " + reply);
    });
  }

  @Test
  void theConnectionLimitRefusesExtraConnectionsWithBusy(VertxTestContext testContext) {
    ServerOptions options = options();
    options.getLimits().setMaxConnections(1);
    startServer(options)
      .compose(server -> connectReady(server)
        .compose(first -> connect(server)
          .compose(extra -> extra.expectFatal(ErrorCode.BUSY))
          .map(busy -> {
            assertTrue(busy.message().contains("1"), busy.message());
            return null;
          })
          .compose(v -> first.upload(1, "first.bin", this.first))
          .compose(done -> first.close()))
        // The slot is free again once the server has seen the first connection go.
        .compose(v -> connectWhenSlotFree(server, RETRIES))
        .compose(client -> client.upload(1, "later.bin", second)))
      .map(done -> {
        assertStored("first.bin", first);
        assertStored("later.bin", second);
        assertFinalFiles("first.bin", "later.bin");
        return null;
      })
      .onComplete(testContext.succeedingThenComplete());
  }

  private Future<WireClient> connectWhenSlotFree(KirimServer server, int attempts) {
    return connect(server).compose(client -> {
      client.send(new Message.Hello(Message.VERSION, "late", null));
      return client.next().compose(reply -> {
        if (reply instanceof Message.Welcome) {
          return Future.succeededFuture(client);
        }
        WireClient.check(reply instanceof Message.Error error && error.code() == ErrorCode.BUSY && attempts > 1,
          "expected welcome or busy, got " + reply + " (" + attempts + " attempts left)");
        return client.close()
          .compose(v -> vertx.timer(20, TimeUnit.MILLISECONDS))
          .compose(v -> connectWhenSlotFree(server, attempts - 1));
      });
    });
  }
}
