package dev.kirim.server;

import dev.kirim.protocol.ErrorCode;
import dev.kirim.protocol.Message;
import dev.kirim.testkit.Checksums;
import dev.kirim.testkit.WireClient;
import io.vertx.core.Future;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Promise 4: an offered name that exists follows the server's one policy, and only {@code overwrite} replaces. */
class OnExistingPolicyTest extends ServerTestBase {

  private static final String NAME = "reports/daily.csv";
  private final byte[] original = content(CHUNK_BYTES + 1, 100);
  private final byte[] newer = content(2 * CHUNK_BYTES + 7, 101);
  private final byte[] newest = content(77, 102);

  /** Starts a server with {@code policy} and stores {@link #original} under {@link #NAME}. */
  private Future<WireClient> serverWithOriginal(OnExisting policy) {
    return startServer(options().setOnExisting(policy))
      .compose(this::connectReady)
      .compose(client -> client.upload(1, NAME, original).map(client));
  }

  @Test
  void skipIsTheDefaultAndKeepsTheStoredFile(VertxTestContext testContext) {
    assertEquals(OnExisting.SKIP, new ServerOptions().getOnExisting());
    serverWithOriginal(OnExisting.SKIP)
      .compose(client -> {
        client.offer(2, NAME, newer.length);
        return client.expect(Message.Skip.class);
      })
      .map(skip -> {
        assertEquals(new Message.Skip(2, Message.Skip.DIFFERS, original.length, WireClient.MTIME, Checksums.crc32c(original)), skip);
        assertStored(NAME, original);
        assertFinalFiles(NAME);
        return null;
      })
      .onComplete(testContext.succeedingThenComplete());
  }

  @Test
  void overwriteReplacesTheStoredFile(VertxTestContext testContext) {
    serverWithOriginal(OnExisting.OVERWRITE)
      .compose(client -> client.upload(2, NAME, newer))
      .map(done -> {
        assertEquals(new Message.Done(2, NAME, newer.length, Checksums.crc32c(newer)), done);
        assertOnlyStored(NAME, newer);
        return null;
      })
      .onComplete(testContext.succeedingThenComplete());
  }

  @Test
  void renameKeepsBothUnderNumberedNames(VertxTestContext testContext) {
    serverWithOriginal(OnExisting.RENAME)
      .compose(client -> client.upload(2, NAME, newer)
        .map(done -> {
          assertEquals(new Message.Done(2, "reports/daily-1.csv", newer.length, Checksums.crc32c(newer)), done);
          return null;
        })
        .compose(v -> client.upload(3, NAME, newest)))
      .map(done -> {
        assertEquals("reports/daily-2.csv", done.name());
        assertStored(NAME, original);
        assertStored("reports/daily-1.csv", newer);
        assertStored("reports/daily-2.csv", newest);
        assertFinalFiles(NAME, "reports/daily-1.csv", "reports/daily-2.csv");
        assertNoPartials();
        return null;
      })
      .onComplete(testContext.succeedingThenComplete());
  }

  @Test
  void renameOfANameWithoutExtensionAppendsTheNumber(VertxTestContext testContext) {
    startServer(options().setOnExisting(OnExisting.RENAME))
      .compose(this::connectReady)
      .compose(client -> client.upload(1, "README", original).compose(done -> client.upload(2, "README", newer)))
      .map(done -> {
        assertEquals("README-1", done.name());
        assertStored("README", original);
        assertStored("README-1", newer);
        return null;
      })
      .onComplete(testContext.succeedingThenComplete());
  }

  @Test
  void failRefusesWithExistsAndKeepsTheConnection(VertxTestContext testContext) {
    serverWithOriginal(OnExisting.FAIL)
      .compose(client -> {
        client.offer(2, NAME, newer.length);
        return client.expectError(ErrorCode.EXISTS, 2L)
          .compose(error -> client.upload(3, "reports/other.csv", newer));
      })
      .map(done -> {
        assertStored(NAME, original);
        assertStored("reports/other.csv", newer);
        assertFinalFiles(NAME, "reports/other.csv");
        return null;
      })
      .onComplete(testContext.succeedingThenComplete());
  }
}
