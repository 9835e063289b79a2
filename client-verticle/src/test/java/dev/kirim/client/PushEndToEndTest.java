package dev.kirim.client;

import dev.kirim.protocol.ChecksumAlgorithm;
import dev.kirim.server.KirimServer;
import dev.kirim.server.ServerLimits;
import dev.kirim.testkit.Checksums;
import dev.kirim.testkit.Trees;
import io.vertx.core.net.NetServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.kirim.testkit.Await.await;
import static dev.kirim.testkit.TestFiles.read;
import static dev.kirim.testkit.TestFiles.writeRandom;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Pushes through a real server: file sizes, checksums, selection on the wire, and one client to many servers. */
class PushEndToEndTest extends PushTestBase {

  @TempDir
  Path tmp;

  @Test
  void sizesAroundTheChunkSizeAndSeveralMebibytesArriveIntact() {
    Path home = tmp.resolve("home");
    Path storage = tmp.resolve("storage");
    Map<String, byte[]> files = new LinkedHashMap<>();
    int[] sizes = {0, 1, CHUNK - 1, CHUNK + 1, 5 * 1024 * 1024 + 12_345};
    for (int size : sizes) {
      String name = "size-" + size + ".bin";
      files.put(name, writeRandom(home.resolve(name), size, size));
    }
    KirimServer server = startServer(serverOptions(storage).setLimits(new ServerLimits().setChunkBytes(CHUNK)));

    PushReport report = push(job(home, List.copyOf(files.keySet()), server));

    assertEquals(PushReport.EXIT_OK, report.exitCode(), report::summary);
    files.forEach((name, content) -> assertSent(result(report, name), content, storage));
    assertEquals("crc32c:00000000", result(report, "size-0.bin").checksum(), "CRC-32C of no bytes");
    assertEquals(0, read(storage.resolve("size-0.bin")).length, "the empty file arrives empty");
    assertEquals(files.keySet().stream().sorted().toList(), Trees.list(storage));
    long total = files.values().stream().mapToLong(b -> b.length).sum();
    assertEquals(total, report.bytesSent());
  }

  @Test
  void sha256ChecksumsOnRequest() {
    Path home = tmp.resolve("home");
    Path storage = tmp.resolve("storage");
    byte[] small = writeRandom(home.resolve("kecil.txt"), 17, 1);
    byte[] big = writeRandom(home.resolve("besar.bin"), 600_007, 2);
    KirimServer server = startServer(storage);
    PushJob job = job(home, List.of("kecil.txt", "besar.bin"), server);
    ClientOptions options = quickRetries().setChecksum(ChecksumAlgorithm.SHA256);

    PushReport first = push(options, job);
    PushReport second = push(options, job);

    assertEquals(PushReport.EXIT_OK, first.exitCode(), first::summary);
    assertEquals(Checksums.of(small, ChecksumAlgorithm.SHA256), result(first, "kecil.txt").checksum());
    assertEquals(Checksums.of(big, ChecksumAlgorithm.SHA256), result(first, "besar.bin").checksum());
    assertArrayEquals(big, read(storage.resolve("besar.bin")));
    for (FileResult result : second.results()) {
      assertEquals(FileStatus.SKIPPED, result.status());
      assertTrue(result.checksum().matches("sha256:[0-9a-f]{64}"), result::checksum);
      assertEquals(result(first, result.name()).checksum(), result.checksum(), "the server's SHA-256 of its copy");
    }
  }

  @Test
  void directoryEntryPushesItsTreeUnderItsOwnName() {
    Path home = tmp.resolve("home");
    Path storage = tmp.resolve("storage");
    Map<String, byte[]> files = new LinkedHashMap<>();
    for (String name : List.of("logs/app.log", "logs/2026/11/a.log", "logs/2026/12/b.log", "logs/.hidden")) {
      files.put(name, writeRandom(home.resolve(name), 1_000 + name.length(), name.hashCode()));
    }
    KirimServer server = startServer(storage);

    PushReport report = push(job(home, List.of("logs"), server));

    assertEquals(PushReport.EXIT_OK, report.exitCode(), report::summary);
    assertEquals(files.keySet().stream().sorted().toList(), names(report.results()));
    files.forEach((name, content) -> assertSent(result(report, name), content, storage));
    assertEquals(List.of("logs/", "logs/.hidden", "logs/2026/", "logs/2026/11/", "logs/2026/11/a.log",
      "logs/2026/12/", "logs/2026/12/b.log", "logs/app.log"), Trees.list(storage));
  }

  @Test
  void globMatchingNothingFailsWithNoMatchAndTheRestIsDelivered() {
    Path home = tmp.resolve("home");
    Path storage = tmp.resolve("storage");
    byte[] csv = writeRandom(home.resolve("data/jan.csv"), 999, 1);
    KirimServer server = startServer(storage);

    PushReport report = push(job(home, List.of("data/*.csv", "data/*.xlsx"), server));

    assertEquals(PushReport.EXIT_FAILED, report.exitCode());
    assertSent(result(report, "jan.csv"), csv, storage);
    FileResult none = result(report, "data/*.xlsx");
    assertEquals(FileStatus.FAILED, none.status());
    assertEquals("no_match", none.errorCode());
    assertTrue(none.errorMessage().contains("data/*.xlsx"), none::errorMessage);
    assertEquals(0, none.attempts(), "nothing was offered");
    assertEquals(List.of("jan.csv"), Trees.list(storage));
  }

  @Test
  void remoteDirPrefixesEveryName() {
    Path home = tmp.resolve("home");
    Path storage = tmp.resolve("storage");
    byte[] a = writeRandom(home.resolve("a.txt"), 101, 1);
    byte[] b = writeRandom(home.resolve("reports/q1/b.txt"), 202, 2);
    KirimServer server = startServer(storage);

    PushReport report = push(job(home, List.of("a.txt", "reports"), server).setRemoteDir("inbox/2026"));

    assertEquals(PushReport.EXIT_OK, report.exitCode(), report::summary);
    assertSent(result(report, "inbox/2026/a.txt"), a, storage);
    assertSent(result(report, "inbox/2026/reports/q1/b.txt"), b, storage);
    assertEquals(List.of("inbox/", "inbox/2026/", "inbox/2026/a.txt", "inbox/2026/reports/",
      "inbox/2026/reports/q1/", "inbox/2026/reports/q1/b.txt"), Trees.list(storage));
  }

  /** Many small files over a few connections with several offers in flight on each. */
  @Test
  void manySmallFilesArePipelinedOverSeveralConnections() {
    Path home = tmp.resolve("home");
    Path storage = tmp.resolve("storage");
    Map<String, byte[]> files = new LinkedHashMap<>();
    for (int i = 0; i < 300; i++) {
      String name = String.format("kecil/%03d.dat", i);
      files.put(name, writeRandom(home.resolve(name), 1 + i * 37 % 5_000, i));
    }
    KirimServer server = startServer(serverOptions(storage).setFsync(false));
    PushJob job = job(home, List.of("kecil"), server);
    ClientOptions options = quickRetries().setConnectionsPerTarget(3).setWindow(8);

    PushReport first = push(options, job);
    PushReport second = push(options, job);

    assertEquals(PushReport.EXIT_OK, first.exitCode(), first::summary);
    assertEquals(300, first.count(FileStatus.SENT));
    files.forEach((name, content) -> assertSent(result(first, name), content, storage));
    assertEquals(301, Trees.list(storage).size(), "the directory and its 300 files, nothing else");
    assertEquals(300, second.count(FileStatus.SKIPPED), second::summary);
  }

  /**
   * One client, four targets: three servers, and a port nothing listens on (a server bound on port 0, then
   * closed). Every file reaches each live server; the dead target's files fail with {@code connect_failed}.
   */
  @Test
  void oneClientToManyServersWithOneRefusingConnections() {
    Path home = tmp.resolve("home");
    Map<String, byte[]> files = new LinkedHashMap<>();
    files.put("a.txt", writeRandom(home.resolve("a.txt"), 3_333, 1));
    files.put("b.bin", writeRandom(home.resolve("b.bin"), 444_444, 2));
    files.put("c/d.txt", writeRandom(home.resolve("c/d.txt"), 55, 3));
    List<Path> storages = new ArrayList<>();
    List<Target> targets = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      storages.add(tmp.resolve("server-" + i));
      targets.add(target(startServer(storages.get(i))));
    }
    Target dead = new Target("127.0.0.1", closedPort());
    targets.add(2, dead);
    PushJob job = job(home, List.of("a.txt", "b.bin", "c")).setTargets(targets);

    PushReport report = push(quickRetries().setRetryAttempts(2), job);

    assertEquals(PushReport.EXIT_FAILED, report.exitCode());
    assertEquals(targets.stream().map(Target::toString).toList(),
      report.targets().stream().map(TargetReport::target).toList(), "one report per target, in configured order");
    for (TargetReport target : report.targets()) {
      assertEquals(files.keySet().stream().sorted().toList(), names(target.results()), target::toString);
      target.results().forEach(r -> assertEquals(target.target(), r.target()));
    }
    TargetReport refused = report.targets().get(2);
    assertNull(refused.server(), "no server reached");
    for (FileResult result : refused.results()) {
      assertEquals(FileStatus.FAILED, result.status());
      assertEquals("connect_failed", result.errorCode(), result::toString);
      assertTrue(result.errorMessage().contains(dead.toString()), result::errorMessage);
    }
    List<TargetReport> live = List.of(report.targets().get(0), report.targets().get(1), report.targets().get(3));
    for (int i = 0; i < 3; i++) {
      Path storage = storages.get(i);
      Map<String, FileResult> results = byName(live.get(i).results());
      files.forEach((name, content) -> assertSent(results.get(name), content, storage));
      assertEquals(List.of("a.txt", "b.bin", "c/", "c/d.txt"), Trees.list(storage));
    }
    assertEquals(9, report.count(FileStatus.SENT));
    assertEquals(3, report.count(FileStatus.FAILED));
    assertTrue(report.summary().lines().anyMatch(line -> line.startsWith(dead.toString())
      && line.contains("(no server reached): 0 sent, 0 skipped, 3 failed")), report::summary);
  }

  /** @return a port on 127.0.0.1 that was free a moment ago and has nothing listening now */
  private int closedPort() {
    NetServer probe = vertx.createNetServer().connectHandler(socket -> socket.close());
    int port = await(probe.listen(0, "127.0.0.1")).actualPort();
    await(probe.close());
    return port;
  }
}
