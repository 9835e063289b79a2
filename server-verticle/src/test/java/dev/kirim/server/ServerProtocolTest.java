package dev.kirim.server;

import dev.kirim.protocol.ErrorCode;
import dev.kirim.protocol.Message;
import dev.kirim.testkit.Checksums;
import dev.kirim.testkit.WireClient;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The protocol as a well-behaved client sees it, spoken byte for byte over a real socket. */
class ServerProtocolTest extends ServerTestBase {

  /**
   * Around the chunk size, the in-memory limit, and past several disk-writer batches and its queue bound (the
   * socket pauses and resumes): the bytes arrive intact whichever way they were buffered.
   */
  @ParameterizedTest(name = "{0} bytes")
  @ValueSource(ints = {0, 1, CHUNK_BYTES - 1, CHUNK_BYTES, CHUNK_BYTES + 1,
    Upload.BUFFERED_MAX_BYTES, Upload.BUFFERED_MAX_BYTES + 1, 1024 * 1024 + 13,
    FileBody.MAX_QUEUED_BYTES + 3 * FileBody.BATCH_BYTES + 12_345})
  void storesTheBytesSent(int size, VertxTestContext testContext) {
    byte[] content = content(size, size);
    startServer()
      .compose(this::connectReady)
      .compose(client -> client.upload(7, "file.bin", content))
      .map(done -> {
        assertEquals(new Message.Done(7, "file.bin", size, Checksums.crc32c(content)), done);
        assertOnlyStored("file.bin", content);
        return null;
      })
      .onComplete(testContext.succeedingThenComplete());
  }

  @Test
  void welcomeNamesTheProtocolVersionAndTheLimits(VertxTestContext testContext) {
    ServerOptions options = options().setServerId("receiver-1");
    options.getLimits().setMaxFileBytes(12_345).setMaxPendingOffers(17);
    startServer(options)
      .compose(this::connect)
      .compose(WireClient::hello)
      .map(welcome -> {
        assertEquals(new Message.Welcome(Message.VERSION, "receiver-1", 12_345, Message.Put.MAX_SIZE, null, true, 17),
          welcome);
        return null;
      })
      .onComplete(testContext.succeedingThenComplete());
  }

  @Test
  void nestedNamesCreateSubDirectories(VertxTestContext testContext) {
    byte[] first = content(5000, 1);
    byte[] second = content(300, 2);
    startServer()
      .compose(this::connectReady)
      .compose(client -> client.upload(1, "2024/05/logs/app.log", first)
        .compose(done -> client.upload(2, "2024/05/other.txt", second)))
      .map(done -> {
        assertEquals("2024/05/other.txt", done.name());
        assertTrue(Files.isDirectory(stored("2024/05/logs")));
        assertStored("2024/05/logs/app.log", first);
        assertStored("2024/05/other.txt", second);
        assertFinalFiles("2024/05/logs/app.log", "2024/05/other.txt");
        return null;
      })
      .onComplete(testContext.succeedingThenComplete());
  }

  /**
   * A window of offers in one write, then the bodies with an offer between them, also in one write: the
   * replies come in request order whatever the work behind each (a check, a refusal, a sync and publish).
   */
  @Test
  void pipelinedRequestsAreAnsweredInOrder(VertxTestContext testContext) {
    byte[] old = content(1000, 10);
    byte[] one = content(STREAMED_SIZE, 11);
    byte[] four = content(10, 14);
    Buffer offers = offer(1, "one.bin", one.length, WireClient.MTIME).toBuffer()
      .appendBuffer(offer(2, "old.bin", 5, WireClient.MTIME).toBuffer())
      .appendBuffer(offer(3, "../escape.bin", 5, WireClient.MTIME).toBuffer())
      .appendBuffer(offer(4, "four.bin", four.length, WireClient.MTIME).toBuffer());
    Buffer bodies = new Message.Data(1, 0, one.length).toBuffer().appendBytes(one)
      .appendBuffer(new Message.Commit(1, Checksums.crc32c(one)).toBuffer())
      .appendBuffer(offer(5, "old.bin", 6, WireClient.MTIME).toBuffer())
      .appendBuffer(new Message.Data(4, 0, four.length).toBuffer()).appendBytes(four)
      .appendBuffer(new Message.Commit(4, Checksums.crc32c(four)).toBuffer());
    startServer()
      .compose(server -> connectReady(server)
        .compose(client -> client.upload(9, "old.bin", old))
        .compose(done -> connectReady(server)))
      .compose(client -> {
        client.sendRaw(offers);
        return nextReplies(client, 4)
          .map(replies -> {
            assertEquals(new Message.Send(1, 0), WireClient.withoutResumeId(replies.get(0)));
            assertEquals(new Message.Skip(2, Message.Skip.DIFFERS, old.length, WireClient.MTIME, Checksums.crc32c(old)), replies.get(1));
            Message.Error error = (Message.Error) replies.get(2);
            assertEquals(3L, error.id());
            assertEquals(ErrorCode.BAD_NAME, error.code());
            assertEquals(new Message.Send(4, 0), WireClient.withoutResumeId(replies.get(3)));
            return null;
          })
          .compose(v -> {
            client.sendRaw(bodies);
            return nextReplies(client, 3);
          });
      })
      .map(replies -> {
        assertEquals(new Message.Done(1, "one.bin", one.length, Checksums.crc32c(one)), replies.get(0));
        assertEquals(new Message.Skip(5, Message.Skip.DIFFERS, old.length, WireClient.MTIME, Checksums.crc32c(old)), replies.get(1));
        assertEquals(new Message.Done(4, "four.bin", four.length, Checksums.crc32c(four)), replies.get(2));
        assertStored("one.bin", one);
        assertStored("four.bin", four);
        assertStored("old.bin", old);
        assertFinalFiles("old.bin", "one.bin", "four.bin");
        return null;
      })
      .onComplete(testContext.succeedingThenComplete());
  }

  @Test
  void doneCarriesTheChecksumInTheOfferedAlgorithm(VertxTestContext testContext) {
    byte[] content = content(CHUNK_BYTES * 3 + 1, 3);
    startServer()
      .compose(this::connectReady)
      .compose(client -> {
        client.send(new Message.Offer(1, "digest.bin", content.length, WireClient.MTIME, "sha256"));
        return client.expect(Message.Send.class)
          .compose(send -> {
            client.sendBody(1, content, 0);
            client.send(new Message.Commit(1, Checksums.sha256(content)));
            return client.expect(Message.Done.class);
          });
      })
      .map(done -> {
        assertEquals(Checksums.sha256(content), done.checksum());
        assertTrue(done.checksum().startsWith("sha256:") && done.checksum().length() == 7 + 64, done.checksum());
        assertStored("digest.bin", content);
        return null;
      })
      .onComplete(testContext.succeedingThenComplete());
  }

  /** Promise 1: the final name appears only once the commit is verified. */
  @Test
  void nothingIsVisibleUnderTheFinalNameBeforeTheCommit(VertxTestContext testContext) {
    byte[] content = content(STREAMED_SIZE, 4);
    startServer()
      .compose(this::connectReady)
      .compose(client -> {
        client.offer(1, "report.csv", content.length);
        return client.expect(Message.Send.class)
          .compose(send -> {
            client.sendBody(1, content, 0);
            // Every byte is in the partial file: all that is missing is the commit.
            return awaitPartial(content.length);
          })
          .map(partial -> {
            assertFalse(Files.exists(stored("report.csv")), "the final name exists before the commit");
            assertFinalFiles();
            assertEquals(1, partials().size(), "partials: " + partials());
            String partialName = partials().get(0).getFileName().toString();
            assertTrue(partialName.startsWith(".report.csv."), partialName);
            return null;
          })
          .compose(v -> client.send(new Message.Commit(1, Checksums.crc32c(content))))
          .compose(v -> client.expect(Message.Done.class));
      })
      .map(done -> {
        assertEquals(content.length, done.bytes());
        assertOnlyStored("report.csv", content);
        return null;
      })
      .onComplete(testContext.succeedingThenComplete());
  }

  @Test
  void skipDescribesTheStoredCopyAndSaysWhetherItIsTheSame(VertxTestContext testContext) {
    byte[] stored = content(CHUNK_BYTES + 99, 5);
    String sha256 = Checksums.sha256(stored);
    startServer()
      .compose(server -> connectReady(server)
        .compose(client -> client.upload(1, "data/kept.bin", stored))
        .compose(done -> connectReady(server)))
      .compose(client -> {
        // One at a time: an offer of a name whose previous offer is still being decided finds it claimed.
        List<Message> replies = new java.util.ArrayList<>();
        client.offer(1, "data/kept.bin", stored.length);
        return client.next().compose(reply -> {
          replies.add(reply);
          client.send(new Message.Offer(2, "data/kept.bin", stored.length, 1234L, "sha256", sha256, null, null, null));
          return client.next();
        }).compose(reply -> {
          replies.add(reply);
          client.offer(3, "data/kept.bin", 10);
          return client.next();
        }).map(reply -> {
          replies.add(reply);
          return replies;
        });
      })
      .map(replies -> {
        // The quick check decides without reading the file, and tells the checksum remembered at publication;
        // the content compare in another algorithm reads the file once and returns what it compared.
        String crc32c = Checksums.crc32c(stored);
        assertEquals(new Message.Skip(1, Message.Skip.SAME, stored.length, WireClient.MTIME, crc32c), replies.get(0));
        assertEquals(new Message.Skip(2, Message.Skip.SAME, stored.length, WireClient.MTIME, sha256), replies.get(1));
        assertEquals(new Message.Skip(3, Message.Skip.DIFFERS, stored.length, WireClient.MTIME, crc32c), replies.get(2));
        assertArrayEquals(stored, read("data/kept.bin"));
        assertFinalFiles("data/kept.bin");
        assertNoPartials();
        return null;
      })
      .onComplete(testContext.succeedingThenComplete());
  }

  @Test
  void manyFilesOnOneConnection(VertxTestContext testContext) {
    int files = 40;
    startServer()
      .compose(this::connectReady)
      .compose(client -> uploadInTurn(client, 0, files))
      .map(v -> {
        assertEquals(files, finalFiles().size());
        for (int i = 0; i < files; i++) {
          assertStored("many/f" + i, content(i * 100, i));
        }
        return null;
      })
      .onComplete(testContext.succeedingThenComplete());
  }

  private Future<Void> uploadInTurn(WireClient client, int i, int files) {
    if (i == files) {
      return Future.succeededFuture();
    }
    return client.upload(i, "many/f" + i, content(i * 100, i)).compose(done -> uploadInTurn(client, i + 1, files));
  }

  static Future<List<Message>> nextReplies(WireClient client, int count) {
    List<Message> replies = new ArrayList<>();
    Future<Void> chain = Future.succeededFuture();
    for (int i = 0; i < count; i++) {
      chain = chain.compose(v -> client.next()).map(reply -> {
        replies.add(reply);
        return null;
      });
    }
    return chain.map(replies);
  }
}
