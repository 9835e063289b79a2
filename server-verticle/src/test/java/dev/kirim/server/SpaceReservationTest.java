package dev.kirim.server;

import dev.kirim.cluster.KirimCluster;
import dev.kirim.cluster.ServerRecord;
import dev.kirim.protocol.ErrorCode;
import dev.kirim.protocol.Message;
import dev.kirim.testkit.WireClient;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An accepted upload reserves the bytes it will write: offers checked while it is in flight see the room it
 * takes, the registry record shows the reservation, and the room comes back when the upload ends. The storage
 * is given room for one and a half "big" files (through {@code minFreeBytes}), so no byte needs writing; the
 * sizes leave a margin of half a file for whatever else writes to the disk meanwhile.
 */
class SpaceReservationTest extends ServerTestBase {

  private long big;

  private ServerOptions roomForOneAndAHalf() throws IOException {
    long usable = Files.getFileStore(storage).getUsableSpace();
    big = Math.min(1L << 30, usable / 4);
    ServerOptions options = options().setServerId("reserve-1");
    options.getLimits().setMinFreeBytes(usable - big - big / 2);
    return options;
  }

  @Test
  void anUploadInFlightReservesItsBytesAndTheRegistryShowsIt(VertxTestContext testContext) throws IOException {
    ServerOptions options = roomForOneAndAHalf().setRegistryRefreshMs(60_000).setRegistryTtlMs(120_000);
    KirimServer server = KirimServer.create(vertx, options);
    servers.add(server);
    ServerRegistration registration = new ServerRegistration(vertx, server, options, 1);
    List<WireClient> clients = new ArrayList<>();
    server.listen()
      .compose(s -> registration.start())
      .compose(v -> record(rec -> true))
      .compose(before -> {
        assertEquals(0, before.reservedBytes());
        return connectReady(server).compose(first -> {
          clients.add(first);
          first.offer(1, "a.bin", big);
          return first.expect(Message.Send.class);
        }).compose(send -> record(rec -> rec.uploads() == 1).map(during -> {
          assertEquals(big, during.reservedBytes(), during::toString);
          assertTrue(during.freeBytes() < before.freeBytes() - big / 2, during + " after " + before);
          return during;
        }));
      })
      // Room for half a file is left: a second file of the same size is refused, naming the reservation.
      .compose(during -> connectReady(server).compose(second -> {
        clients.add(second);
        second.offer(2, "b.bin", big);
        return second.expectError(ErrorCode.NO_SPACE, 2L);
      }))
      .compose(refusal -> {
        assertTrue(refusal.message().contains("promised " + big + " to 1 upload(s) in flight"), refusal.message());
        // The first upload's connection goes: its reservation ends, the record shows it, the room is back.
        return clients.get(0).close();
      })
      .compose(v -> record(rec -> rec.uploads() == 0))
      .compose(after -> {
        assertEquals(0, after.reservedBytes());
        clients.get(1).offer(3, "b.bin", big);
        return clients.get(1).expect(Message.Send.class);
      })
      .eventually(registration::close)
      .onComplete(testContext.succeeding(send -> testContext.verify(() -> {
        assertEquals(3, send.id());
        testContext.completeNow();
      })));
  }

  @Test
  void ofThreeOffersRacingForRoomForOneExactlyOneIsAccepted(VertxTestContext testContext) throws IOException {
    ServerOptions options = roomForOneAndAHalf();
    List<WireClient> clients = new ArrayList<>();
    startServer(options)
      .compose(server -> Future.all(connectReady(server), connectReady(server), connectReady(server)))
      .compose(ready -> {
        List<Future<Message>> replies = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
          WireClient client = ready.resultAt(i);
          clients.add(client);
          client.offer(i, "file-" + i + ".bin", big);
          replies.add(client.next());
        }
        return Future.all(replies).map(all -> all.<Message>list());
      })
      .onComplete(testContext.succeeding(replies -> testContext.verify(() -> {
        long sends = replies.stream().filter(Message.Send.class::isInstance).count();
        assertEquals(1, sends, replies::toString);
        replies.stream().filter(reply -> !(reply instanceof Message.Send)).forEach(reply ->
          assertEquals(ErrorCode.NO_SPACE, assertInstanceOf(Message.Error.class, reply).code()));
        testContext.completeNow();
      })));
  }

  /** Reads this test's record until {@code wanted} holds (the record is rewritten within a quarter second). */
  private Future<ServerRecord> record(java.util.function.Predicate<ServerRecord> wanted) {
    return record(wanted, 40);
  }

  private Future<ServerRecord> record(java.util.function.Predicate<ServerRecord> wanted, int attempts) {
    return vertx.sharedData().<String, JsonObject>getAsyncMap(KirimCluster.SERVERS_MAP)
      .compose(map -> map.get("reserve-1"))
      .compose(json -> {
        ServerRecord record = json == null ? null : ServerRecord.fromJson(json);
        if (record != null && wanted.test(record)) {
          return Future.succeededFuture(record);
        }
        if (attempts <= 1) {
          return Future.failedFuture(new AssertionError("the record of reserve-1 never became what the test waits "
            + "for: " + record));
        }
        Promise<ServerRecord> later = Promise.promise();
        vertx.setTimer(100, id -> record(wanted, attempts - 1).onComplete(later));
        return later.future();
      });
  }
}
