package dev.kirim.it;

import dev.kirim.client.ClientOptions;
import dev.kirim.client.FileStatus;
import dev.kirim.client.KirimClient;
import dev.kirim.client.PushJob;
import dev.kirim.client.PushReport;
import dev.kirim.client.TargetReport;
import dev.kirim.cluster.KirimCluster;
import dev.kirim.server.ServerOptions;
import dev.kirim.server.ServerVerticle;
import dev.kirim.testkit.Ports;
import dev.kirim.testkit.TestClusterNode;
import dev.kirim.testkit.TestFiles;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static dev.kirim.testkit.Await.await;
import static dev.kirim.testkit.Await.closeAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Three clients start a {@code cluster:any} push at the same moment into a cluster of three servers that each
 * have room for one of their files: all three succeed, one file per server. Without reservations all three
 * would pick the same server and two would fail {@code no_space}; without the move to the next server the
 * refused ones would retry the full server until their retries ran out. Each server stores on its own small
 * tmpfs (exact free space, unaffected by whatever else writes to the machine's disk), so the test needs root
 * (CI runs as root) and is skipped otherwise. Four clustered Vert.x in this JVM: three servers, and a lite
 * member for the clients, as the client jar joins.
 */
@EnabledOnOs(OS.LINUX)
class ClusterAnySpreadTest {

  private static final int DISK_BYTES = 8 * 1024 * 1024;
  private static final int FILE_BYTES = 3 * 1024 * 1024;

  @TempDir
  Path dir;

  private final List<Path> disks = new ArrayList<>();
  private final List<Vertx> nodes = new ArrayList<>();

  @BeforeEach
  void mountDisks() throws Exception {
    for (int i = 0; i < 3; i++) {
      Path disk = Files.createDirectories(dir.resolve("disk-" + i));
      assumeTrue(run("mount", "-t", "tmpfs", "-o", "size=" + DISK_BYTES, "kirim-test", disk.toString()) == 0,
        "mounting a tmpfs needs root");
      disks.add(disk);
    }
  }

  @AfterEach
  void stop() throws Exception {
    try {
      // Every node is closed whatever another's close does (one failing await must not leave the rest running).
      closeAll(nodes, 60);
    } finally {
      for (Path disk : disks) {
        run("umount", "-l", disk.toString());
      }
    }
  }

  @Test
  void threeClientsRacingForRoomForOneFilePerServerAllSucceedOnePerServer() throws Exception {
    String clusterName = "kirim-test-" + UUID.randomUUID();
    List<String> members = List.of(Ports.freePort(), Ports.freePort(), Ports.freePort(), Ports.freePort()).stream()
      .map(port -> "127.0.0.1:" + port).toList();
    for (int i = 0; i < 4; i++) {
      nodes.add(await(TestClusterNode.start(clusterName, Integer.parseInt(members.get(i).substring(10)), members,
        i == 3), 60));
    }
    for (int i = 0; i < 3; i++) {
      // Room for one and a half files: the second file offered to a server does not fit.
      long usable = Files.getFileStore(disks.get(i)).getUsableSpace();
      JsonObject config = new ServerOptions().setHost("127.0.0.1").setPort(0).setStorageDir(disks.get(i))
        .setServerId("server-" + i).toJson();
      config.getJsonObject("limits").put("minFreeBytes", usable - FILE_BYTES * 3L / 2);
      await(nodes.get(i).deployVerticle(ServerVerticle.class, new DeploymentOptions().setConfig(config)));
    }
    Vertx clients = nodes.get(3);
    List<Future<PushReport>> pushes = new ArrayList<>();
    List<KirimClient> started = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      TestFiles.writePseudoRandom(dir.resolve("out/file-" + i + ".bin"), FILE_BYTES, i);
      KirimClient client = KirimClient.create(clients, new ClientOptions().setRetryBackoffMs(10));
      started.add(client);
    }
    for (int i = 0; i < 3; i++) {
      pushes.add(started.get(i).push(new PushJob().setClusterTargets(List.of(KirimCluster.TARGET_ANY))
        .setBaseDir(dir.resolve("out")).setFiles(List.of("file-" + i + ".bin"))));
    }
    await(Future.join(pushes), 60);
    started.forEach(client -> await(client.close()));

    List<String> servers = new ArrayList<>();
    for (Future<PushReport> push : pushes) {
      PushReport report = push.result();
      assertEquals(PushReport.EXIT_OK, report.exitCode(), report.summary());
      assertEquals(1, report.targets().size(), report.summary());
      TargetReport target = report.targets().get(0);
      assertEquals(FileStatus.SENT, target.results().get(0).status(), report.summary());
      servers.add(target.server());
    }
    assertEquals(List.of("server-0", "server-1", "server-2"), servers.stream().sorted().toList(),
      "one file per server: " + servers);
    for (Path disk : disks) {
      try (var files = Files.list(disk)) {
        assertEquals(1, files.filter(path -> path.getFileName().toString().endsWith(".bin")).count(),
          "files on " + disk);
      }
    }
  }

  private static int run(String... command) throws Exception {
    return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
      .start().waitFor();
  }
}
