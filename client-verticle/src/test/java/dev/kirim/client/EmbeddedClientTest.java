package dev.kirim.client;

import dev.kirim.config.ConfigException;
import dev.kirim.protocol.ChecksumAlgorithm;
import dev.kirim.protocol.Message;
import dev.kirim.protocol.MessageReader;
import dev.kirim.server.AuthOptions;
import dev.kirim.server.KirimServer;
import dev.kirim.server.ServerOptions;
import dev.kirim.server.auth.TokenHash;
import dev.kirim.testkit.Checksums;
import dev.kirim.testkit.PartialWait;
import dev.kirim.testkit.Trees;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static dev.kirim.testkit.Await.await;
import static dev.kirim.testkit.TestFiles.writeRandom;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The client as an application embeds it: one client, several pushes and uploads, options checked up front. */
class EmbeddedClientTest extends PushTestBase {

  private static final String TOKEN = "emb-token-1d4c";

  @TempDir
  Path tmp;

  @Test
  void uploadSendsOneFileUnderTheGivenNameThenSkipsIt() {
    Path storage = tmp.resolve("storage");
    byte[] content = writeRandom(tmp.resolve("local/a.csv"), 70_001, 1);
    KirimServer server = startServer(storage);
    KirimClient client = KirimClient.create(vertx, quickRetries());

    FileResult first = await(client.upload(target(server), tmp.resolve("local/a.csv"), "daily/2026-12-02.csv"));
    FileResult second = await(client.upload(target(server), tmp.resolve("local/a.csv"), "daily/2026-12-02.csv"));
    FileResult badName = await(client.upload(target(server), tmp.resolve("local/a.csv"), "../escape.csv"));
    await(client.close());

    assertSent(first, content, storage);
    assertEquals("daily/2026-12-02.csv", first.name());
    assertEquals(FileStatus.SKIPPED, second.status(), second::toString);
    assertEquals(FileStatus.FAILED, badName.status());
    assertEquals("bad_name", badName.errorCode());
    assertEquals(List.of("daily/", "daily/2026-12-02.csv"), Trees.list(storage));
  }

  /**
   * The partial of an authenticated client is its own: a later push of the same client resumes it, and commits the
   * resumed file with SHA-256.
   */
  @Test
  void aResumedUploadReportsWhereItResumedAndWhatItSent() throws IOException {
    Path storage = tmp.resolve("storage");
    Path file = tmp.resolve("local/big.bin");
    byte[] content = writeRandom(file, 300_007, 2);
    long mtime = Files.getLastModifiedTime(file).toMillis();
    Path tokens = Files.writeString(tmp.resolve("tokens.json"), new JsonObject().put("clients", new JsonArray().add(
      new JsonObject().put("name", "emb").put("tokenSha256", TokenHash.hex(TOKEN)).put("dir", "emb"))).encode());
    KirimServer server = startServer(serverOptions(storage).setAuth(AuthOptions.tokens(tokens)));
    int half = 150_000;
    NetSocket dropped = sendPart(server, "big.bin", content, mtime, half);
    awaitPartialOf(storage, storage.resolve("emb"), half);
    await(dropped.close());

    // Retried until the server has let go of the dropped connection's claim on the name.
    PushReport report = push(quickRetries().setRetryAttempts(50).setToken(TOKEN),
      job(tmp.resolve("local"), List.of("big.bin"), server));

    FileResult result = result(report, "big.bin");
    assertEquals(FileStatus.SENT, result.status(), result::toString);
    assertEquals(Checksums.sha256(content), result.checksum(), "a resumed upload commits with SHA-256");
    assertArrayEquals(content, Files.readAllBytes(storage.resolve("emb/big.bin")));
    assertEquals(half, result.resumedFrom(), result::toString);
    assertEquals(content.length - half, result.bytesTransferred(), result::toString);
    assertEquals(half, report.toJson().getJsonArray("files").getJsonObject(0).getLong("resumedFrom"));
  }

  @Test
  void optionsAndJobsAreCheckedWhateverBuiltThem() {
    ConfigException window = assertThrows(ConfigException.class,
      () -> KirimClient.create(vertx, new ClientOptions().setWindow(0)));
    assertTrue(window.getMessage().contains("'window'"), window::getMessage);
    ConfigException port = assertThrows(ConfigException.class,
      () -> KirimServer.create(vertx, new ServerOptions().setPort(70_000)));
    assertTrue(port.getMessage().contains("'port'"), port::getMessage);

    KirimClient client = KirimClient.create(vertx, quickRetries());
    AssertionError noTargets = assertThrows(AssertionError.class,
      () -> await(client.push(new PushJob().setFiles(List.of("a.txt")))));
    assertTrue(noTargets.getCause().getMessage().contains("'targets'"), noTargets.getCause()::getMessage);
    await(client.close());
  }

  @Test
  void optionsChangedAfterCreateDoNotChangeTheClient() {
    Path storage = tmp.resolve("storage");
    byte[] content = writeRandom(tmp.resolve("local/a.txt"), 10, 3);
    KirimServer server = startServer(storage);
    ClientOptions options = quickRetries().setChecksum(ChecksumAlgorithm.SHA256);
    KirimClient client = KirimClient.create(vertx, options);
    options.setChecksum(ChecksumAlgorithm.CRC32C).setWindow(0);

    FileResult result = await(client.upload(target(server), tmp.resolve("local/a.txt"), "a.txt"));
    await(client.close());

    assertEquals(Checksums.of(content, ChecksumAlgorithm.SHA256), result.checksum());
  }

  /**
   * Waits (inotify, {@link PartialWait}: no polling) until the server's one partial file under {@code dir} holds
   * {@code bytes}, the dropped connection's last writes having reached the disk.
   */
  private void awaitPartialOf(Path storage, Path dir, long bytes) {
    Path partial = await(PartialWait.atLeast(vertx, storage, bytes));
    List<String> files = Trees.list(dir);
    assertTrue(files.size() == 1 && files.get(0).endsWith(".kirim-part") && partial.equals(dir.resolve(files.get(0)))
      && size(partial) == bytes, () -> "not one partial of " + bytes + " bytes in " + dir + ": " + files);
  }

  private static long size(Path file) {
    try {
      return Files.size(file);
    } catch (IOException e) {
      return -1;
    }
  }

  /**
   * Offers {@code name} with the local file's mtime (so that the server keeps its partial for a resume) and
   * sends the first {@code bytes} of the body.
   *
   * @return the connection, to be dropped without a commit
   */
  private NetSocket sendPart(KirimServer server, String name, byte[] content, long mtime, int bytes) {
    NetClient raw = vertx.createNetClient();
    closeAfterTest(raw::close);
    NetSocket socket = await(raw.connect(server.actualPort(), "127.0.0.1"));
    Promise<Void> accepted = Promise.promise();
    MessageReader.create(socket, 8192, 8192).messageHandler(message -> {
      if (message instanceof Message.Send) {
        accepted.tryComplete();
      } else if (message instanceof Message.Error error) {
        accepted.tryFail(error.toException());
      }
    });
    socket.write(new Message.Hello(Message.VERSION, "dropper", TOKEN).toBuffer());
    socket.write(new Message.Offer(1, name, content.length, mtime, null).toBuffer());
    await(accepted.future());
    await(socket.write(new Message.Data(1, 0, content.length).toBuffer().appendBuffer(Buffer.buffer(content).slice(0,
      bytes))));
    return socket;
  }
}
