package dev.kirim.server;

import dev.kirim.protocol.ErrorCode;
import dev.kirim.protocol.Message;
import dev.kirim.testkit.WireClient;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a client sends cannot forge or garble a server log line: names, client ids and the text of malformed
 * messages are logged with their control characters escaped. The server's lines go to the file named in the
 * test resources' simplelogger.properties.
 */
class LogLinesTest extends ServerTestBase {

  private static final Path LOG = Path.of("target/server-tests.log");

  @Test
  void controlCharactersFromTheNetworkAreEscapedInLogLines(VertxTestContext testContext) {
    String marker = UUID.randomUUID().toString();
    String clientId = "evil\n00:00:00.000 [main] INFO ServerConnection - FORGED-ID-" + marker + "\u0000\u001b[2J";
    String badName = "a\n00:00:00.000 [main] INFO ServerConnection - FORGED-NAME-" + marker;
    String badType = "{\"type\":\"x\\n00:00:00.000 [main] INFO ServerConnection - FORGED-TYPE-" + marker + "\"}\n";
    startServer()
      .compose(this::connect)
      .compose(client -> {
        client.send(new Message.Hello(Message.VERSION, clientId, null));
        return client.expect(Message.Welcome.class)
          .compose(welcome -> {
            client.send(new Message.Offer(1, badName, 3, WireClient.MTIME, null));
            return client.expectError(ErrorCode.BAD_NAME, 1L);
          })
          .compose(error -> client.sendRaw(badType).compose(v -> client.expectFatal(ErrorCode.MALFORMED)));
      })
      .compose(error -> awaitLogLine("closed", marker, Instant.now().plus(Duration.ofSeconds(10))))
      .onComplete(testContext.succeeding(lines -> testContext.verify(() -> {
        for (String line : lines) {
          assertFalse(line.chars().anyMatch(c -> c < 0x20 && c != '\t'), () -> "raw control character in: " + line);
        }
        assertEquals(List.of(), lines.stream().filter(line -> line.contains("INFO ServerConnection - FORGED")
          && line.indexOf("FORGED") < line.indexOf(" - ") + 4).toList(), "a forged line");
        assertTrue(lines.stream().anyMatch(line -> line.contains("'a\\x0a00:00:00.000 [main] INFO ServerConnection - "
          + "FORGED-NAME-" + marker)), () -> "the refused name, escaped: " + lines);
        assertTrue(lines.stream().anyMatch(line -> line.contains("x\\x0a00:00:00.000") && line.contains("FORGED-TYPE")),
          () -> "the malformed message, escaped: " + lines);
        assertTrue(lines.stream().anyMatch(line -> line.contains("(evil\\x0a00:00:00.000") && line.contains(
          "FORGED-ID-" + marker + "\\x00\\x1b[2J) closed")), () -> "the client id, escaped: " + lines);
        testContext.completeNow();
      })));
  }

  /**
   * A file's duration measures its transfer, from its first data to its answer, not the time its accepted offer
   * waited behind the files before it: two offers are accepted, their data comes 2.5 s later (a timer: the wait
   * itself is what is measured), and neither line says more than 1.5 s (fsync off, so that a disk busy with other
   * work does not count). Each line starts with the peer and the client id.
   */
  @Test
  void durationsMeasureTheTransferNotTheQueueAndLinesNameTheClient(VertxTestContext testContext) {
    String marker = UUID.randomUUID().toString();
    String a = "queued-a-" + marker + ".txt";
    String b = "queued-b-" + marker + ".txt";
    byte[] content = content(10, 1);
    startServer(options().setFsync(false))
      .compose(this::connectReady)
      .compose(client -> {
        client.offer(1, a, content.length);
        client.offer(2, b, content.length);
        return client.expect(Message.Send.class)
          .compose(send -> client.expect(Message.Send.class))
          .compose(send -> {
            Promise<Void> later = Promise.promise();
            vertx.setTimer(2500, id -> later.complete());
            return later.future();
          })
          .compose(v -> client.finishUpload(1, content, 0))
          .compose(done -> client.finishUpload(2, content, 0));
      })
      .compose(done -> awaitLogLine("'" + b + "'", marker, Instant.now().plus(Duration.ofSeconds(10))))
      .onComplete(testContext.succeeding(lines -> testContext.verify(() -> {
        for (String name : List.of(a, b)) {
          String line = lines.stream().filter(l -> l.contains("copied 10 bytes into '" + name + "'")).findFirst()
            .orElseThrow(() -> new AssertionError("no line for " + name + ": " + lines));
          java.util.regex.Matcher m = java.util.regex.Pattern
            .compile("127\\.0\\.0\\.1:\\d+ \\(test-client\\): copied .* in (\\d+) ms$").matcher(line);
          assertTrue(m.find(), line);
          assertTrue(Long.parseLong(m.group(1)) < 1500, () -> "the queueing counted: " + line);
        }
        testContext.completeNow();
      })));
  }

  /**
   * Reads the log until a line holds both {@code text} and {@code marker}, looking again every 20 ms (nothing
   * else tells when the server has logged a close); bounded by {@code deadline}.
   *
   * @return the lines that mention {@code marker}
   */
  private Future<List<String>> awaitLogLine(String text, String marker, Instant deadline) {
    List<String> lines;
    try {
      lines = Files.readAllLines(LOG, StandardCharsets.UTF_8).stream().filter(line -> line.contains(marker)).toList();
    } catch (IOException e) {
      return Future.failedFuture(e);
    }
    if (lines.stream().anyMatch(line -> line.contains(text))) {
      return Future.succeededFuture(lines);
    }
    if (Instant.now().isAfter(deadline)) {
      return Future.failedFuture(new AssertionError("no '" + text + "' line mentioning " + marker + " in " + LOG
        + ": " + lines));
    }
    Promise<Void> tick = Promise.promise();
    vertx.setTimer(20, id -> tick.complete());
    return tick.future().compose(v -> awaitLogLine(text, marker, deadline));
  }
}
