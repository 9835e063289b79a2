package dev.kirim.server;

import dev.kirim.protocol.ErrorCode;
import dev.kirim.protocol.Message;
import dev.kirim.server.auth.AuthAttempts;
import dev.kirim.server.auth.TokenHash;
import dev.kirim.testkit.WireClient;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.kirim.testkit.Await.until;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Token authentication over real sockets: who gets in, where its names land, and how fast a brute-forcer can
 * guess. The tokens file lists two clients, each with its own directory.
 */
class AuthTest extends ServerTestBase {

  static final String AJI_TOKEN = "aji-secret-token-0123456789";
  static final String BUDI_TOKEN = "budi-secret-token-9876543210";

  ServerOptions authOptions() throws IOException {
    Path tokens = tempDir.resolve("tokens.json");
    Files.writeString(tokens, new JsonObject().put("clients", new JsonArray()
      .add(new JsonObject().put("name", "aji").put("tokenSha256", TokenHash.hex(AJI_TOKEN)).put("dir", "aji"))
      .add(new JsonObject().put("name", "budi").put("tokenSha256", TokenHash.hex(BUDI_TOKEN)).put("dir", "team/budi")))
      .encode());
    return options().setAuth(AuthOptions.tokens(tokens));
  }

  @Test
  void noTokenIsUnauthorised(VertxTestContext testContext) throws IOException {
    startServer(authOptions())
      .compose(this::connect)
      .compose(client -> {
        client.send(new Message.Hello(Message.VERSION, "no-token", null));
        return client.expectFatal(ErrorCode.UNAUTHORISED);
      })
      .map(error -> {
        assertTrue(error.message().contains("KIRIM_TOKEN"), error::message);
        return null;
      })
      .onComplete(testContext.succeedingThenComplete());
  }

  @Test
  void wrongTokenIsUnauthorised(VertxTestContext testContext) throws IOException {
    startServer(authOptions())
      .compose(this::connect)
      .compose(client -> {
        client.send(new Message.Hello(Message.VERSION, "guesser", "not-" + AJI_TOKEN));
        return client.expectFatal(ErrorCode.UNAUTHORISED);
      })
      .map(error -> {
        assertTrue(error.message().contains("token is not accepted"), error::message);
        assertEquals(List.of(), tree(storage).stream().filter(p -> !p.endsWith("/")).toList());
        return null;
      })
      .onComplete(testContext.succeedingThenComplete());
  }

  @Test
  void rightTokenIsConfinedToItsDirectory(VertxTestContext testContext) throws IOException {
    byte[] content = content(STREAMED_SIZE, 91);
    startServer(authOptions())
      .compose(this::connect)
      .compose(client -> client.hello(BUDI_TOKEN)
        .compose(welcome -> {
          assertEquals("budi", welcome.client(), "the welcome names the authenticated client");
          return client.upload(1, "reports/q3.csv", content);
        }))
      .map(done -> {
        assertEquals("reports/q3.csv", done.name(), "the stored name is told relative to the client's directory");
        assertArrayEquals(content, read("team/budi/reports/q3.csv"));
        assertFalse(Files.exists(stored("reports/q3.csv")), "nothing outside the client's directory");
        return null;
      })
      .onComplete(testContext.succeedingThenComplete());
  }

  @Test
  void nameLeavingTheNamespaceIsBadName(VertxTestContext testContext) throws IOException {
    startServer(authOptions())
      .compose(this::connect)
      .compose(client -> client.hello(AJI_TOKEN)
        .compose(welcome -> {
          client.offer(1, "../team/budi/planted.txt", 5);
          return client.expectError(ErrorCode.BAD_NAME, 1L);
        })
        .compose(error -> {
          client.offer(2, "/etc/planted.txt", 5);
          return client.expectError(ErrorCode.BAD_NAME, 2L);
        }))
      .map(error -> {
        assertFalse(Files.exists(stored("team/budi/planted.txt")));
        return null;
      })
      .onComplete(testContext.succeedingThenComplete());
  }

  /** A client added to the tokens file while the server runs gets in, without a restart. */
  @Test
  void aChangedTokensFileIsReloaded(VertxTestContext testContext) throws IOException {
    ServerOptions options = authOptions();
    Path tokens = options.getAuth().getTokensFile();
    startServer(options)
      .compose(server -> {
        JsonObject file = new JsonObject(vertx.fileSystem().readFileBlocking(tokens.toString()));
        file.getJsonArray("clients").add(new JsonObject().put("name", "citra").put("tokenSha256", TokenHash.hex("citra-token"))
          .put("dir", "citra"));
        vertx.fileSystem().writeFileBlocking(tokens.toString(), io.vertx.core.buffer.Buffer.buffer(file.encode()));
        return helloUntilWelcomed(server, "citra-token", 100);
      })
      .map(welcome -> {
        assertEquals("citra", welcome.client());
        assertTrue(Files.isDirectory(stored("citra")), "the new client's directory is made");
        return null;
      })
      .onComplete(testContext.succeedingThenComplete());
  }

  /**
   * A brute-forcer with 8 connections in parallel, each guessing again as soon as it is answered, for
   * {@link #WINDOW_MS}: without the backoff it would be answered thousands of times a second. With it, only one
   * guess per backoff delay (100 ms, doubling) is checked at all, and every answer waits for the block to end.
   */
  @Test
  void bruteForceIsSlowedDown(VertxTestContext testContext) throws IOException {
    AtomicInteger checked = new AtomicInteger();
    AtomicInteger answered = new AtomicInteger();
    startServer(authOptions())
      .compose(server -> {
        long endAt = System.nanoTime() + WINDOW_MS * 1_000_000;
        List<Future<Void>> loops = new ArrayList<>();
        for (int i = 0; i < PARALLEL_GUESSERS; i++) {
          loops.add(guessUntil(server, endAt, i * 1000, checked, answered));
        }
        return Future.all(loops);
      })
      .compose(v -> {
        double perSecond = answered.get() * 1000.0 / WINDOW_MS;
        System.out.printf("AuthTest: a brute-forcer with %d connections got %d answers (%.1f/s), of which %d guesses "
          + "were checked (%.1f/s), in %d ms%n", PARALLEL_GUESSERS, answered.get(), perSecond, checked.get(),
          checked.get() * 1000.0 / WINDOW_MS, WINDOW_MS);
        // Delays 100, 200, 400, 800, 1600 ms: at most 6 checked guesses in 3 s (one more for timing slack).
        assertTrue(checked.get() <= 7, "checked guesses in " + WINDOW_MS + " ms: " + checked.get());
        assertTrue(checked.get() >= 2, "the window saw the backoff grow: " + checked.get());
        // Each connection gets at most one answer per block: at most 8 per block, 7 blocks.
        assertTrue(answered.get() <= PARALLEL_GUESSERS * 7, "answers in " + WINDOW_MS + " ms: " + answered.get());
        // One more wrong guess, checked once the last block has ended, starts a block of 3.2 s or more; the right
        // token, sent once that guess has counted, is refused without being checked.
        KirimServer server = servers.get(0);
        int[] failuresBefore = new int[1];
        return until(vertx, () -> attempts().blockedFor(PEER) == 0, "the last block ended")
          .compose(ended -> {
            failuresBefore[0] = attempts().failures(PEER);
            return connect(server);
          })
          .compose(guesser -> {
            guesser.send(new Message.Hello(Message.VERSION, "guesser", "one-more"));
            return until(vertx, () -> attempts().failures(PEER) > failuresBefore[0], "the guess counted");
          })
          .compose(counted -> connect(server))
          .compose(client -> {
            client.send(new Message.Hello(Message.VERSION, "owner", AJI_TOKEN));
            return client.expectFatal(ErrorCode.UNAUTHORISED);
          });
      })
      .map(error -> {
        assertTrue(error.message().contains("too many failed authentications"), error::message);
        return null;
      })
      .onComplete(testContext.succeedingThenComplete());
  }

  private static final long WINDOW_MS = 3_000;
  private static final int PARALLEL_GUESSERS = 8;
  private static final String PEER = "127.0.0.1";

  /** The failed authentications the test's server counts (one storage directory: one entry). */
  private AuthAttempts attempts() {
    return vertx.sharedData().<String, AuthAttempts>getLocalMap(KirimServer.AUTH_ATTEMPTS_MAP).values().iterator()
      .next();
  }

  /** One guesser: connect, hello with a wrong token, wait for the answer, again, until {@code endAt}. */
  private Future<Void> guessUntil(KirimServer server, long endAt, int guess, AtomicInteger checked,
                                  AtomicInteger answered) {
    if (System.nanoTime() >= endAt) {
      return Future.succeededFuture();
    }
    Promise<Void> done = Promise.promise();
    WireClient.connect(vertx, server.actualPort()).compose(client -> {
      client.send(new Message.Hello(Message.VERSION, "guesser", "guess-" + guess));
      return client.expectFatal(ErrorCode.UNAUTHORISED).eventually(client::close);
    }).onComplete(ar -> {
      if (ar.failed()) {
        done.fail(ar.cause());
        return;
      }
      answered.incrementAndGet();
      if (ar.result().message().contains("token is not accepted")) {
        checked.incrementAndGet();
      }
      guessUntil(server, endAt, guess + 1, checked, answered).onComplete(done);
    });
    return done.future();
  }
}
