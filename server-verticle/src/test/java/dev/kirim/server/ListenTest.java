package dev.kirim.server;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A server that cannot start says why in one line that names the address or directory. */
class ListenTest extends ServerTestBase {

  private Vertx other;

  /** Closed from the test thread: closing a Vert.x from one of its own callbacks cannot report back. */
  @AfterEach
  void closeOtherVertx(VertxTestContext testContext) {
    Future<Void> closing = other == null ? Future.succeededFuture() : other.close();
    closing.onComplete(testContext.succeedingThenComplete());
  }

  @Test
  void aPortTakenByAnotherServerIsReportedAsInUse(VertxTestContext testContext) {
    // Another Vert.x instance stands for another process (verticle instances of one Vert.x may share a port).
    other = Vertx.vertx();
    KirimServer first = KirimServer.create(other, options().setStorageDir(tempDir.resolve("first")));
    first.listen()
      .compose(running -> {
        int port = running.actualPort();
        return startServer(options().setPort(port))
          .transform(ar -> {
            assertTrue(ar.failed(), "a second server listened on the taken port " + port);
            assertInUse(ar.cause(), port);
            return Future.<Void>succeededFuture();
          });
      })
      .onComplete(testContext.succeedingThenComplete());
  }

  @Test
  void aPortTakenByAnyProcessIsReportedAsInUse(VertxTestContext testContext) throws IOException {
    ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"));
    int port = taken.getLocalPort();
    startServer(options().setPort(port))
      .transform(ar -> {
        assertTrue(ar.failed(), "listened on the taken port " + port);
        assertInUse(ar.cause(), port);
        return Future.<Void>succeededFuture();
      })
      .eventually(() -> {
        try {
          taken.close();
        } catch (IOException e) {
          return Future.failedFuture(e);
        }
        return Future.succeededFuture();
      })
      .onComplete(testContext.succeedingThenComplete());
  }

  private static void assertInUse(Throwable failure, int port) {
    assertInstanceOf(ListenException.class, failure);
    String message = failure.getMessage();
    assertTrue(message.contains("already in use"), message);
    assertTrue(message.contains("127.0.0.1:" + port), message);
    assertTrue(message.lines().count() == 1, message);
  }

  @Test
  void aStorageDirectoryThatIsAFileIsReported(VertxTestContext testContext) throws IOException {
    Path notADirectory = Files.writeString(tempDir.resolve("plain-file"), "x");
    startServer(options().setStorageDir(notADirectory))
      .transform(ar -> {
        assertTrue(ar.failed(), "listened with a file as storage directory");
        assertInstanceOf(ListenException.class, ar.cause());
        String message = ar.cause().getMessage();
        assertTrue(message.contains("storage directory") && message.contains(notADirectory.toString()), message);
        return Future.<Void>succeededFuture();
      })
      .onComplete(testContext.succeedingThenComplete());
  }
}
