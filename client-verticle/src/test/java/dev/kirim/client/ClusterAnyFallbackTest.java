package dev.kirim.client;

import dev.kirim.cluster.KirimCluster;
import dev.kirim.cluster.ServerRecord;
import dev.kirim.protocol.ErrorCode;
import dev.kirim.protocol.Message;
import dev.kirim.testkit.Ports;
import dev.kirim.testkit.ScriptedServer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.AsyncMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;

import static dev.kirim.testkit.Await.await;
import static dev.kirim.testkit.TestFiles.writeRandom;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code cluster:any} moves on: a server that answers {@code no_space} or {@code busy}, or cannot be reached, hands
 * the file to the next server instead of being retried, and the choice is random among equally good servers.
 * The servers are scripted and registered in this Vert.x's own registry (a client that is not clustered reads
 * it), the first choice given far more room so that it is tried first.
 */
class ClusterAnyFallbackTest extends PushTestBase {

  @TempDir
  Path dir;

  @Test
  void aFullServerHandsTheFileToTheNextOne() {
    assertMovesOn(refusing(ErrorCode.NO_SPACE), "no_space");
  }

  @Test
  void aBusyServerHandsTheFileToTheNextOne() {
    assertMovesOn(refusing(ErrorCode.BUSY), "busy");
  }

  @Test
  void anUnreachableServerHandsTheFileToTheNextOne() {
    assertMovesOn(null, "cannot connect");
  }

  private ScriptedServer.Script refusing(ErrorCode code) {
    return (connection, message) -> {
      if (message instanceof Message.Offer offer) {
        connection.reply(new Message.Error(offer.id(), code, "scripted " + code.wireName()));
      } else if (message instanceof Message.Put put) {
        connection.reply(new Message.Error(put.id(), code, "scripted " + code.wireName()));
      } else {
        ScriptedServer.OBLIGING.handle(connection, message);
      }
    };
  }

  /** @param firstScript the preferred server's script; {@code null}: nothing listens on its port */
  private void assertMovesOn(ScriptedServer.Script firstScript, String why) {
    writeRandom(dir.resolve("a.bin"), 100_000, 1);
    int firstPort = firstScript == null ? Ports.freePort() : startScripted(firstScript).port();
    ScriptedServer second = startScripted(ScriptedServer.OBLIGING);
    register(record("first", firstPort, 1L << 40), record("second", second.port(), 1L << 30));

    long started = System.nanoTime();
    // A retry on the same server would wait at least 15 s first: moving on must not wait for it.
    PushReport report = push(quickRetries().setRetryBackoffMs(30_000).setRetryMaxBackoffMs(60_000),
      new PushJob().setClusterTargets(List.of(KirimCluster.TARGET_ANY)).setBaseDir(dir).setFiles(List.of("a.bin")));
    long tookMs = (System.nanoTime() - started) / 1_000_000;

    assertEquals(PushReport.EXIT_OK, report.exitCode(), report.summary());
    assertEquals(1, report.targets().size(), report.summary());
    TargetReport target = report.targets().get(0);
    assertEquals("127.0.0.1:" + second.port(), target.target(), report.summary());
    assertEquals("cluster:any", target.via());
    assertEquals(FileStatus.SENT, target.results().get(0).status());
    // Well below the 15 s a retry on the same server would have waited, with room for a loaded machine.
    assertTrue(tookMs < 12_000, "moved on after " + tookMs + " ms (" + why + ")");
  }

  @Test
  void filesSpreadOverFallbacksCountAsDeliveredOnce() {
    writeRandom(dir.resolve("a.bin"), 20_000, 1);
    writeRandom(dir.resolve("b.bin"), 30_000, 2);
    // The first choice takes a.bin and is full for b.bin, which goes to the second.
    ScriptedServer first = startScripted((connection, message) -> {
      if (message instanceof Message.Offer offer && offer.name().equals("b.bin")) {
        connection.reply(new Message.Error(offer.id(), ErrorCode.NO_SPACE, "scripted no_space"));
      } else {
        ScriptedServer.OBLIGING.handle(connection, message);
      }
    });
    ScriptedServer second = startScripted(ScriptedServer.OBLIGING);
    register(record("first", first.port(), 1L << 40), record("second", second.port(), 1L << 30));

    PushReport report = push(quickRetries(), new PushJob().setClusterTargets(List.of(KirimCluster.TARGET_ANY))
      .setBaseDir(dir).setFiles(List.of("a.bin", "b.bin")).setDeleteAfterSend(true));

    assertEquals(PushReport.EXIT_OK, report.exitCode(), report.summary());
    assertEquals(2, report.targets().size(), "each server that took a file has its report: " + report.summary());
    assertEquals(2, report.deletions().count(Deletions.Outcome.DELETED), report.summary());
    assertFalse(Files.exists(dir.resolve("a.bin")));
    assertFalse(Files.exists(dir.resolve("b.bin")));
    assertTrue(report.summary().contains("kirim: 2 file(s) x 1 target(s): 2 sent"), report.summary());
  }

  @Test
  void clusterAnyNeverTakesOverAServerClusterAllNeeds() {
    writeRandom(dir.resolve("a.bin"), 20_000, 1);
    // The server with the most room, cluster:any's first choice, is full; cluster:all needs it all the same.
    ScriptedServer full = startScripted(refusing(ErrorCode.NO_SPACE));
    ScriptedServer roomy = startScripted(ScriptedServer.OBLIGING);
    register(record("full", full.port(), 1L << 40), record("roomy", roomy.port(), 1L << 30));

    PushReport report = push(quickRetries(), new PushJob()
      .setClusterTargets(List.of(KirimCluster.TARGET_ANY, KirimCluster.TARGET_ALL))
      .setBaseDir(dir).setFiles(List.of("a.bin")).setDeleteAfterSend(true));

    assertEquals(PushReport.EXIT_FAILED, report.exitCode(), report.summary());
    assertTrue(Files.exists(dir.resolve("a.bin")), "kept: the full server does not hold it");
    assertEquals(List.of("cluster:all", "cluster:all"), report.targets().stream().map(TargetReport::via).toList(),
      report.summary());
    assertEquals(1, offers(roomy).size(), "pushed to the roomy server once: " + roomy.received);
  }

  private static List<String> offers(ScriptedServer server) {
    return server.received.stream().filter(line -> line.endsWith("offer")).toList();
  }

  @Test
  void theChoiceIsRandomAmongTheBestAndKeepsTheOthersAsFallbacks() {
    List<ServerRecord> servers = List.of(record("a", 1, 100), record("b", 2, 95), record("c", 3, 90),
      record("small", 4, 50), record("full", 5, 10));
    Set<String> firsts = new TreeSet<>();
    Random random = new Random(42);
    for (int i = 0; i < 50; i++) {
      List<ServerRecord> order = new AnyOrder(20, random).order(servers);
      firsts.add(order.get(0).serverId());
      // The best (within 80 % of the most room) first, in any order; then by room; the one without room last.
      assertEquals(Set.of("a", "b", "c"), Set.of(order.get(0).serverId(), order.get(1).serverId(),
        order.get(2).serverId()));
      assertEquals(List.of("small", "full"), List.of(order.get(3).serverId(), order.get(4).serverId()));
    }
    assertEquals(Set.of("a", "b", "c"), firsts, "every one of the best is chosen first sometimes");
    // Nothing has room: most room first.
    assertEquals(List.of("a", "b", "c", "small", "full"), new AnyOrder(1_000, random).order(servers).stream()
      .map(ServerRecord::serverId).toList());
  }

  private void register(ServerRecord... records) {
    AsyncMap<String, JsonObject> map = await(vertx.sharedData().<String, JsonObject>getAsyncMap(KirimCluster.SERVERS_MAP));
    for (ServerRecord record : records) {
      await(map.put(record.serverId(), record.toJson()));
    }
  }

  private static ServerRecord record(String id, int port, long free) {
    return new ServerRecord(id, "127.0.0.1", port, free, "dev", 1, null, Instant.now());
  }
}
