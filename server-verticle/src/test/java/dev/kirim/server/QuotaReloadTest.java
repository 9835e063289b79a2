package dev.kirim.server;

import dev.kirim.protocol.ErrorCode;
import dev.kirim.protocol.Message;
import dev.kirim.protocol.NameRules;
import dev.kirim.server.auth.TokenHash;
import dev.kirim.testkit.WireClient;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Quotas across reloads of the tokens file, over real sockets: a client's directory has one account, which
 * every connection of the client counts against whatever the limits were when it was admitted, and which takes
 * the limits of each reloaded tokens file at once. Each reload also adds a marker client, whose welcome shows
 * that the server took the new file.
 */
class QuotaReloadTest extends ServerTestBase {

  private static final String AJI_TOKEN = "aji-quota-token-0123456789";

  private Path tokens;
  private int reloads;

  /**
   * The review's reproduction. maxBytes 100, 60 bytes stored; raised to 200, 100 more; back to 100, and 30 more
   * must be refused. The account was keyed by the limits: the raise made a second one, the return to 100
   * brought back the first with its 60 bytes, the 30 were stored and aji held 190 bytes against its 100.
   */
  @Test
  void limitsChangedAndChangedBackKeepOneAccount(VertxTestContext testContext) throws IOException {
    startServer(tokensOptions(aji(100)))
      .compose(server -> ajiClient(server)
        .compose(first -> first.upload(1, "first.bin", content(60, 1)))
        .compose(done -> reload(server, aji(200)))
        .compose(v -> ajiClient(server))
        .compose(second -> second.upload(1, "second.bin", content(100, 2)))
        .compose(done -> reload(server, aji(100)))
        .compose(v -> ajiClient(server))
        .compose(third -> refused(third, 1, "third.bin", 30)))
      .map(error -> {
        assertTrue(error.message().contains("holds 160 bytes"), error::message);
        assertEquals(160, held("aji"));
        return null;
      })
      .onComplete(testContext.succeedingThenComplete());
  }

  /**
   * A connection admitted under maxBytes 100 gets the 200 of a reload without reconnecting, and it and a
   * connection admitted after the reload each see the other's bytes.
   */
  @Test
  void aLimitRaisedOnReloadAppliesToAnOpenConnectionToo(VertxTestContext testContext) throws IOException {
    startServer(tokensOptions(aji(100)))
      .compose(server -> ajiClient(server).compose(open -> open.upload(1, "a.bin", content(60, 1))
        .compose(done -> refused(open, 2, "b.bin", 60))
        .compose(error -> reload(server, aji(200)))
        .compose(v -> open.upload(3, "b.bin", content(60, 2)))
        .compose(done -> ajiClient(server))
        .compose(fresh -> refused(fresh, 1, "c.bin", 100).compose(error -> {
          assertTrue(error.message().contains("holds 120 bytes"), error::message);
          return fresh.upload(2, "c.bin", content(80, 3));
        }))
        .compose(done -> refused(open, 4, "d.bin", 1))))
      .map(error -> {
        assertTrue(error.message().contains("holds 200 bytes"), error::message);
        assertEquals(200, held("aji"));
        return null;
      })
      .onComplete(testContext.succeedingThenComplete());
  }

  /**
   * A client taken out of the tokens file leaves no account behind; put back, it is counted from what its
   * directory holds then (cleared while it was away but for 30 bytes), not from the 60 bytes it had stored.
   */
  @Test
  void aClientRemovedAndAddedAgainStartsFromWhatItsDirectoryHolds(VertxTestContext testContext) throws IOException {
    startServer(tokensOptions(aji(100)))
      .compose(server -> ajiClient(server)
        .compose(client -> client.upload(1, "a.bin", content(60, 1)).compose(done -> client.close()))
        .compose(v -> reload(server))
        .compose(v -> {
          assertEquals(0, vertx.sharedData().getLocalMap(KirimServer.QUOTAS_MAP).size(), "aji's account is dropped");
          vertx.fileSystem().deleteBlocking(stored("aji/a.bin").toString());
          vertx.fileSystem().writeFileBlocking(stored("aji/kept.bin").toString(), Buffer.buffer(content(30, 2)));
          return reload(server, aji(100));
        })
        .compose(v -> ajiClient(server))
        .compose(client -> refused(client, 1, "b.bin", 71).compose(error -> {
          assertTrue(error.message().contains("holds 30 bytes"), error::message);
          return client.upload(2, "b.bin", content(70, 3));
        })))
      .map(done -> {
        assertEquals(100, held("aji"));
        return null;
      })
      .onComplete(testContext.succeedingThenComplete());
  }

  private ServerOptions tokensOptions(JsonObject... clients) throws IOException {
    tokens = tempDir.resolve("tokens.json");
    Files.writeString(tokens, new JsonObject().put("clients", new JsonArray(List.of((Object[]) clients))).encode());
    return options().setAuth(AuthOptions.tokens(tokens));
  }

  private static JsonObject aji(long maxBytes) {
    return new JsonObject().put("name", "aji").put("tokenSha256", TokenHash.hex(AJI_TOKEN)).put("dir", "aji")
      .put("maxBytes", maxBytes);
  }

  /**
   * Replaces the tokens file by {@code clients} and a new marker client, in one rename (the watch never sees half
   * a file), and completes once the server welcomes the marker: the new file is in force.
   */
  private Future<Void> reload(KirimServer server, JsonObject... clients) {
    String marker = "reload-" + ++reloads;
    List<Object> entries = new ArrayList<>(List.of((Object[]) clients));
    entries.add(new JsonObject().put("name", marker).put("tokenSha256", TokenHash.hex(marker + "-token"))
      .put("dir", marker));
    Path next = tempDir.resolve("tokens.json.next");
    try {
      Files.writeString(next, new JsonObject().put("clients", new JsonArray(entries)).encode());
      Files.move(next, tokens, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return helloUntilWelcomed(server, marker + "-token", 100).mapEmpty();
  }

  /** A new connection of client aji, welcomed. */
  private Future<WireClient> ajiClient(KirimServer server) {
    return connect(server).compose(client -> client.hello(AJI_TOKEN).map(client));
  }

  /** Offers {@code size} bytes, which aji's quota must refuse. */
  private static Future<Message.Error> refused(WireClient client, long id, String name, int size) {
    client.offer(id, name, size);
    return client.expectError(ErrorCode.QUOTA_EXCEEDED, id);
  }

  /** @return the bytes of the final files in the client directory {@code dir} */
  private long held(String dir) {
    try (Stream<Path> paths = Files.walk(stored(dir))) {
      return paths.filter(Files::isRegularFile)
        .filter(path -> !path.getFileName().toString().endsWith(NameRules.PARTIAL_SUFFIX))
        .mapToLong(path -> path.toFile().length())
        .sum();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
