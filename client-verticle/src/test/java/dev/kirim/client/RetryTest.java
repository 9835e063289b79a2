package dev.kirim.client;

import dev.kirim.protocol.ErrorCode;
import dev.kirim.protocol.Message;
import dev.kirim.protocol.MessageReader;
import dev.kirim.server.KirimServer;
import dev.kirim.server.ServerLimits;
import dev.kirim.server.ServerOptions;
import dev.kirim.testkit.ReplyTap;
import dev.kirim.testkit.Trees;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.kirim.testkit.Await.await;
import static dev.kirim.testkit.TestFiles.writeRandom;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Retries against a real server that says {@code busy}: because another upload holds the name for longer
 * than the server lets an offer wait for it, or because it is at its connection limit. The other party is a raw connection the test holds and lets go of once the
 * client has been told {@code busy} (seen through a {@link ReplyTap}), so no test depends on timing.
 */
class RetryTest extends PushTestBase {

  private static final String NAME = "rebutan.bin";

  @TempDir
  Path tmp;

  private Path home;
  private Path storage;
  private byte[] content;

  private void files() {
    home = tmp.resolve("home");
    storage = tmp.resolve("storage");
    content = writeRandom(home.resolve(NAME), 50_001, 7);
  }

  /** A server whose offers of a held name wait only 50 ms for it before they are answered {@code busy}. */
  private ServerOptions nameWaitingBriefly() {
    ServerOptions options = serverOptions(storage);
    options.getLimits().setSameNameWaitMs(50);
    return options;
  }

  /**
   * Opens a raw connection, says hello and, when {@code name} is not null, offers it and waits for the server's
   * {@code send}: from then on that connection holds the name. Without a name, waits for the welcome.
   */
  private NetSocket hold(KirimServer server, String name) {
    NetClient raw = vertx.createNetClient();
    closeAfterTest(raw::close);
    NetSocket socket = await(raw.connect(server.actualPort(), "127.0.0.1"));
    Promise<Void> holding = Promise.promise();
    MessageReader.create(socket, 8192, 8192).messageHandler(message -> {
      if (message instanceof Message.Welcome && name == null || message instanceof Message.Send) {
        holding.tryComplete();
      } else if (message instanceof Message.Error error) {
        holding.tryFail(error.toException());
      }
    });
    socket.write(new Message.Hello(Message.VERSION, "holder", null).toBuffer());
    if (name != null) {
      socket.write(new Message.Offer(0, name, 10, 0L, null).toBuffer());
    }
    await(holding.future());
    return socket;
  }

  /** A tap in front of {@code server} that counts {@code busy} replies and calls {@code onBusy} on each. */
  private ReplyTap tap(KirimServer server, AtomicInteger busy, Handler<Message.Error> onBusy) {
    ReplyTap tap = await(ReplyTap.start(vertx, server.actualPort(), message -> {
      if (message instanceof Message.Error error && error.code() == ErrorCode.BUSY) {
        busy.incrementAndGet();
        onBusy.handle(error);
      }
    }));
    closeAfterTest(tap::close);
    return tap;
  }

  private ClientOptions options(int attempts) {
    return quickRetries().setRetryAttempts(attempts).setRetryBackoffMs(5).setRetryMaxBackoffMs(50);
  }

  private PushJob job(ReplyTap tap, String... files) {
    return job(home, List.of(files)).setTargets(List.of(target(tap.port())));
  }

  @Test
  void nameBusyWithAnotherUploadIsOfferedAgainUntilItIsFree() {
    files();
    KirimServer server = startServer(nameWaitingBriefly());
    NetSocket holder = hold(server, NAME);
    AtomicInteger busy = new AtomicInteger();
    ReplyTap tap = tap(server, busy, error -> holder.close());

    PushReport report = push(options(20), job(tap, NAME));

    FileResult result = result(report, NAME);
    assertEquals(PushReport.EXIT_OK, report.exitCode(), report::summary);
    assertSent(result, content, storage);
    assertTrue(busy.get() >= 1, "the client was told busy");
    assertEquals(busy.get() + 1, result.attempts(), "one try per busy, and the one that went through");
    assertEquals(List.of(NAME), Trees.list(storage), "nothing of the holder's abandoned upload");
  }

  @Test
  void nameBusyForLongerThanTheRetriesFailsWithBusy() {
    files();
    byte[] other = writeRandom(home.resolve("lain.txt"), 999, 8);
    KirimServer server = startServer(nameWaitingBriefly());
    hold(server, NAME);
    AtomicInteger busy = new AtomicInteger();
    ReplyTap tap = tap(server, busy, error -> { });

    PushReport report = push(options(3), job(tap, NAME, "lain.txt"));

    FileResult result = result(report, NAME);
    assertEquals(PushReport.EXIT_FAILED, report.exitCode());
    assertEquals(FileStatus.FAILED, result.status());
    assertEquals("busy", result.errorCode());
    assertEquals(3, result.attempts());
    assertEquals(3, busy.get(), "one offer per try, no more");
    assertTrue(result.errorMessage().contains("after 3 tries"), result::errorMessage);
    assertSent(result(report, "lain.txt"), other, storage);
    assertEquals(List.of("lain.txt"), Trees.list(storage));
  }

  @Test
  void serverAtItsConnectionLimitIsConnectedToAgain() {
    files();
    KirimServer server = startServer(serverOptions(storage).setLimits(new ServerLimits().setMaxConnections(1)));
    NetSocket holder = hold(server, null);
    AtomicInteger busy = new AtomicInteger();
    ReplyTap tap = tap(server, busy, error -> holder.close());

    PushReport report = push(options(20), job(tap, NAME));

    assertEquals(PushReport.EXIT_OK, report.exitCode(), report::summary);
    assertSent(result(report, NAME), content, storage);
    assertTrue(busy.get() >= 1, "the client was turned away at least once");
  }

  @Test
  void serverAtItsConnectionLimitForLongerThanTheRetriesFailsWithBusy() {
    files();
    KirimServer server = startServer(serverOptions(storage).setLimits(new ServerLimits().setMaxConnections(1)));
    hold(server, null);
    AtomicInteger busy = new AtomicInteger();
    ReplyTap tap = tap(server, busy, error -> { });

    PushReport report = push(options(3), job(tap, NAME));

    FileResult result = result(report, NAME);
    assertEquals(PushReport.EXIT_FAILED, report.exitCode());
    assertEquals("busy", result.errorCode(), result::toString);
    assertTrue(result.errorMessage().contains(target(tap.port()).toString()), result::errorMessage);
    assertEquals(3, busy.get(), "one connection per try");
    assertEquals(List.of(), Trees.list(storage));
  }

  /**
   * A server that admits one connection while the client wants two: the second is refused on every try, the
   * first carries all the files, and the client stops knocking once its tries are used up.
   */
  @Test
  void extraConnectionRefusedAtTheLimitIsTriedNoMoreThanTheRetries() {
    home = tmp.resolve("home");
    storage = tmp.resolve("storage");
    List<String> names = new java.util.ArrayList<>();
    for (int i = 0; i < 40; i++) {
      names.add("f" + i + ".txt");
      writeRandom(home.resolve("f" + i + ".txt"), 100 + i, i);
    }
    KirimServer server = startServer(serverOptions(storage).setFsync(false)
      .setLimits(new ServerLimits().setMaxConnections(1)));
    AtomicInteger busy = new AtomicInteger();
    ReplyTap tap = tap(server, busy, error -> { });

    PushReport report = push(quickRetries().setConnectionsPerTarget(2).setWindow(1).setRetryAttempts(3)
      .setRetryBackoffMs(1).setRetryMaxBackoffMs(1), job(tap, names.toArray(String[]::new)));

    assertEquals(PushReport.EXIT_OK, report.exitCode(), report::summary);
    assertEquals(40, report.count(FileStatus.SENT));
    assertTrue(busy.get() >= 1, "the client tried a second connection and was refused");
    assertTrue(busy.get() <= 3, () -> busy.get() + " connections refused, the client tries 3 times");
  }
}
