package dev.kirim.server.auth;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The tokens file's watch, on a real file, with a short check interval. */
@ExtendWith(VertxExtension.class)
class TokensWatchTest {

  private static final long CHECK_MS = 20;

  @TempDir
  Path dir;

  /**
   * A tokens file written in two steps (no rename) and read between them fails to load; the write completes
   * before the watch looks again. The watch must take as seen only what its failed load saw: it used to read the
   * file's stamp again after the failure, took the completed file for the failed one, and never loaded it (a
   * token revoked by it stayed valid). The second half of the write is done inside the failed load itself, so
   * the order is certain; the test waits for the load of the completed file.
   */
  @Test
  void aWriteCompletedAfterAFailedLoadIsLoaded(Vertx vertx, VertxTestContext testContext) throws IOException {
    Path root = Files.createDirectories(dir.resolve("storage"));
    Path file = dir.resolve("tokens.json");
    String complete = tokens("aji", "budi");
    Files.writeString(file, tokens("aji"));
    AtomicInteger loads = new AtomicInteger();
    Promise<List<ClientEntry>> completedLoad = Promise.promise();
    QuotaAccounts accounts = new QuotaAccounts(root, vertx.sharedData().getLocalMap("test.quotas"));
    Access access = new Access(vertx, List.of(), accounts, new AuthAttempts());
    TokensWatch watch = new TokensWatch(vertx, file, root, access, accounts,
      vertx.sharedData().getLocalMap("test.logged"), path -> {
        if (loads.incrementAndGet() == 1) {
          try {
            return TokensFile.load(path);
          } finally {
            write(path, complete);
          }
        }
        List<ClientEntry> clients = TokensFile.load(path);
        completedLoad.tryComplete(clients);
        return clients;
      }, CHECK_MS);
    watch.start(TokensFile.stamp(file));
    // The first half of the write (put in place at once, so that the watch sees all of it or none): cut short,
    // it is not JSON, and of another size than either whole file.
    Path half = dir.resolve("tokens.json.half");
    Files.writeString(half, complete.substring(0, complete.length() - 10));
    Files.move(half, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    // Bounded: the completed file is due at the next check after the failed load, not 250 checks later.
    completedLoad.future().timeout(250 * CHECK_MS, TimeUnit.MILLISECONDS)
      .recover(e -> Future.failedFuture(new AssertionError("the completed file was never loaded ("
        + loads.get() + " load(s))", e)))
      .andThen(ar -> watch.close())
      .onComplete(testContext.succeeding(clients -> testContext.verify(() -> {
        assertEquals(List.of("aji", "budi"), clients.stream().map(ClientEntry::name).toList());
        assertEquals(2, loads.get(), "the half-written file, then the completed one");
        testContext.completeNow();
      })));
  }

  /**
   * The server reads the tokens file with its options and starts watching it only once it listens: a change in
   * between is a change to load, not the version the clients in force came from.
   */
  @Test
  void aChangeBeforeTheWatchStartsIsLoaded(Vertx vertx, VertxTestContext testContext) throws IOException {
    Path root = Files.createDirectories(dir.resolve("storage"));
    Path file = dir.resolve("tokens.json");
    Files.writeString(file, tokens("aji"));
    String readStamp = TokensFile.stamp(file);
    List<ClientEntry> read = TokensFile.load(file);
    // Replaced (one rename) after the read, before the watch starts: budi is in, aji revoked.
    Path next = Files.writeString(dir.resolve("tokens.json.next"), tokens("budi"));
    Files.move(next, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    Promise<List<ClientEntry>> loaded = Promise.promise();
    QuotaAccounts accounts = new QuotaAccounts(root, vertx.sharedData().getLocalMap("test.quotas"));
    Access access = new Access(vertx, read, accounts, new AuthAttempts());
    TokensWatch watch = new TokensWatch(vertx, file, root, access, accounts,
      vertx.sharedData().getLocalMap("test.logged"), path -> {
        List<ClientEntry> clients = TokensFile.load(path);
        loaded.tryComplete(clients);
        return clients;
      }, CHECK_MS);
    watch.start(readStamp);
    loaded.future().timeout(250 * CHECK_MS, TimeUnit.MILLISECONDS)
      .recover(e -> Future.failedFuture(new AssertionError("the file changed before the watch was never loaded", e)))
      .andThen(ar -> watch.close())
      .onComplete(testContext.succeeding(clients -> testContext.verify(() -> {
        assertEquals(List.of("budi"), clients.stream().map(ClientEntry::name).toList());
        testContext.completeNow();
      })));
  }

  private static String tokens(String... names) {
    JsonArray clients = new JsonArray();
    for (String name : names) {
      clients.add(new JsonObject().put("name", name).put("tokenSha256", TokenHash.hex(name + "-token"))
        .put("dir", name));
    }
    return new JsonObject().put("clients", clients).encode();
  }

  private static void write(Path file, String text) {
    try {
      Files.writeString(file, text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
