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
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Promise 3: whatever name a client offers, nothing is created outside the storage directory, and a refused
 * name creates nothing inside it either. {@code bad_name} refuses one offer, not the connection.
 */
class NameTraversalTest extends ServerTestBase {

  static Stream<Arguments> badNames() {
    return Stream.of(
      Arguments.of("parent", "../x"),
      Arguments.of("parent inside", "a/../../x"),
      Arguments.of("parent at the end", "a/.."),
      Arguments.of("absolute", "/abs"),
      Arguments.of("backslash", "a\\b"),
      Arguments.of("windows parent", "..\\x"),
      Arguments.of("nul", "a\u0000b"),
      Arguments.of("newline", "a\nb"),
      Arguments.of("delete character", "a\u007fb"),
      Arguments.of("dot component", "a/./b"),
      Arguments.of("lone dot", "."),
      Arguments.of("empty component", "a//b"),
      Arguments.of("trailing slash", "a/"),
      Arguments.of("partial suffix", "x.kirim-part"),
      Arguments.of("partial suffix in a directory", "a.kirim-part/x"),
      Arguments.of("overlong component", "c".repeat(201)),
      Arguments.of("overlong component in bytes", "\u00e9".repeat(101)),
      Arguments.of("overlong name", ("d".repeat(99) + "/").repeat(11) + "f"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badNames")
  void badNameIsRefusedAndCreatesNothing(String description, String name, VertxTestContext testContext)
    throws IOException {
    Path outside = Files.createDirectories(tempDir.resolve("outside"));
    boolean absExisted = Files.exists(Path.of("/abs"));
    List<String> before = tree(tempDir);
    byte[] good = content(100, 1);
    startServer()
      .compose(this::connectReady)
      .compose(client -> {
        client.offer(1, name, 10);
        return client.expectError(ErrorCode.BAD_NAME, 1L)
          .map(error -> {
            assertEquals(before, tree(tempDir), "something was created for " + description);
            return null;
          })
          // The refusal concerns the offer only: the same connection goes on.
          .compose(v -> client.upload(2, "ok.bin", good));
      })
      .map(done -> {
        List<String> expected = new ArrayList<>(before);
        expected.add("storage/ok.bin");
        assertEquals(expected.stream().sorted().toList(), tree(tempDir));
        assertEquals(List.of(), tree(outside));
        assertEquals(absExisted, Files.exists(Path.of("/abs")));
        return null;
      })
      .onComplete(testContext.succeedingThenComplete());
  }

  @Test
  void bodyAfterARefusedNameIsUnexpected(VertxTestContext testContext) throws IOException {
    byte[] content = content(100, 2);
    Files.createDirectories(tempDir.resolve("outside"));
    List<String> before = tree(tempDir);
    startServer()
      .compose(server -> connectReady(server)
        .compose(client -> {
          client.offer(1, "../outside/x", content.length);
          client.sendBody(1, content, 0);
          client.send(new Message.Commit(1, Checksums.crc32c(content)));
          return client.expectError(ErrorCode.BAD_NAME, 1L).compose(error -> client.expectFatal(ErrorCode.UNEXPECTED));
        })
        .compose(error -> assertFreshClientUploads(server, "good.bin")))
      .map(v -> {
        List<String> expected = new ArrayList<>(before);
        expected.add("storage/good.bin");
        assertEquals(expected.stream().sorted().toList(), tree(tempDir));
        return null;
      })
      .onComplete(testContext.succeedingThenComplete());
  }

  @Test
  void symlinkedDirectoryLeadingOutsideIsRefused(VertxTestContext testContext) throws IOException {
    Path outside = Files.createDirectories(tempDir.resolve("outside"));
    Files.createSymbolicLink(storage.resolve("link"), outside);
    List<String> before = tree(tempDir);
    startServer()
      .compose(this::connectReady)
      .compose(client -> {
        client.offer(1, "link/evil", 10);
        client.offer(2, "link/sub/evil", 10);
        client.offer(3, "link", 10);
        return client.expectError(ErrorCode.BAD_NAME, 1L)
          .compose(error -> client.expectError(ErrorCode.BAD_NAME, 2L))
          .compose(error -> client.expectError(ErrorCode.BAD_NAME, 3L))
          .map(error -> {
            assertTrue(error.message().contains("symbolic link"), error.message());
            return null;
          });
      })
      .map(v -> {
        assertEquals(before, tree(tempDir));
        assertEquals(List.of(), tree(outside));
        return null;
      })
      .onComplete(testContext.succeedingThenComplete());
  }

  /**
   * A link under a partial file's name (only a local user can put one there: no client may name a partial) is
   * replaced, never written through, whether the body streams to disk or waits in memory.
   */
  @Test
  void aLinkPlantedUnderAPartialsNameIsNeverWrittenThrough(VertxTestContext testContext) throws IOException {
    byte[] secret = content(64, 3);
    Path secretFile = secretOutside(secret);
    Path outside = secretFile.getParent();
    Files.createSymbolicLink(storage.resolve(".big.bin.kirim-part"), secretFile);
    Files.createSymbolicLink(storage.resolve(".small.bin.kirim-part"), secretFile);
    byte[] big = content(STREAMED_SIZE, 4);
    byte[] small = content(100, 5);
    startServer()
      .compose(this::connectReady)
      .compose(client -> client.upload(1, "big.bin", big).compose(done -> client.upload(2, "small.bin", small)))
      .map(done -> {
        assertArrayEquals(secret, readBytes(secretFile));
        assertEquals(List.of("secret.txt"), tree(outside));
        assertRegularFiles("big.bin", "small.bin");
        assertStored("big.bin", big);
        assertStored("small.bin", small);
        assertNoPartials();
        return null;
      })
      .onComplete(testContext.succeedingThenComplete());
  }

  /**
   * A link a local user renames over the partial while its body arrives: the time and mode the offer asks for
   * are never set through it (they would change a file outside the storage directory as the server's user),
   * and the upload is not confirmed. Without resume, so that the partial carries no label whose removal would
   * stop at the link first.
   */
  @Test
  void aLinkSwappedInForAPartialMidBodyChangesNothingOutside(VertxTestContext testContext) throws IOException {
    Path secretFile = secretOutside(content(64, 3));
    Files.setPosixFilePermissions(secretFile, PosixFilePermissions.fromString("rw-------"));
    FileTime secretTime = Files.getLastModifiedTime(secretFile);
    byte[] big = content(STREAMED_SIZE, 4);
    int half = STREAMED_SIZE / 2;
    startServer(options().setResume(false))
      .compose(this::connectReady)
      .compose(client -> client.send(new Message.Offer(1, "big.bin", big.length, WireClient.MTIME, null, null,
          0777, null, null))
        .compose(v -> client.expect(Message.Send.class))
        .compose(send -> client.sendRaw(new Message.Data(1, 0, big.length).toBuffer().appendBytes(big, 0, half)))
        .compose(v -> awaitPartial(half))
        .compose(partial -> vertx.executeBlocking(() -> {
          Path link = Files.createSymbolicLink(partial.resolveSibling("swap"), secretFile);
          return Files.move(link, partial, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }))
        .compose(v -> client.sendRaw(Buffer.buffer(WireClient.slice(big, half, big.length))))
        .compose(v -> client.send(new Message.Commit(1, Checksums.crc32c(big))))
        .compose(v -> client.next()))
      .compose(reply -> vertx.executeBlocking(() -> {
        assertInstanceOf(Message.Error.class, reply, "not confirmed: " + reply);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(secretFile)));
        assertEquals(secretTime, Files.getLastModifiedTime(secretFile));
        assertFalse(Files.exists(stored("big.bin"), LinkOption.NOFOLLOW_LINKS), "nothing published");
        return null;
      }))
      .onComplete(testContext.succeedingThenComplete());
  }

  /** @return {@code outside/secret.txt} holding {@code secret}, beside the storage directory */
  private Path secretOutside(byte[] secret) throws IOException {
    return Files.write(Files.createDirectories(tempDir.resolve("outside")).resolve("secret.txt"), secret);
  }

  private void assertRegularFiles(String... names) {
    for (String name : names) {
      assertTrue(Files.isRegularFile(stored(name), LinkOption.NOFOLLOW_LINKS), name + " is not a regular file");
    }
  }

  /** Neither overwritten through the link, nor its size and checksum given away in a skip. */
  @Test
  void symlinkedFileLeadingOutsideIsRefusedUnderEveryPolicy(VertxTestContext testContext) throws IOException {
    byte[] secret = content(64, 3);
    Path secretFile = secretOutside(secret);
    Path outside = secretFile.getParent();
    Files.createSymbolicLink(storage.resolve("innocent.txt"), secretFile);
    // One policy after the other: servers on one storage directory share its upload claims.
    Future<?> policies = Future.succeededFuture();
    for (OnExisting policy : OnExisting.values()) {
      policies = policies
        .compose(v -> startServer(options().setOnExisting(policy)))
        .compose(this::connectReady)
        .compose(client -> {
          client.offer(1, "innocent.txt", 10);
          return client.expectError(ErrorCode.BAD_NAME, 1L).compose(error -> client.close());
        });
    }
    policies
      .map(v -> {
        assertArrayEquals(secret, readBytes(secretFile));
        assertEquals(List.of("secret.txt"), tree(outside));
        assertTrue(Files.isSymbolicLink(storage.resolve("innocent.txt")));
        return null;
      })
      .onComplete(testContext.succeedingThenComplete());
  }

  @Test
  void nameThroughAnExistingRegularFileIsRefused(VertxTestContext testContext) {
    byte[] plain = content(100, 4);
    byte[] content = content(CHUNK_BYTES + 1, 5);
    startServer()
      .compose(server -> connectReady(server)
        .compose(client -> client.upload(1, "plain.txt", plain)
          .compose(done -> {
            client.offer(2, "plain.txt/inner.bin", content.length);
            client.offer(3, "plain.txt/deeper/inner.bin", content.length);
            return client.expectError(ErrorCode.BAD_NAME, 2L)
              .compose(error -> client.expectError(ErrorCode.BAD_NAME, 3L));
          })
          .compose(error -> client.upload(4, "after.bin", content)))
        .compose(done -> assertFreshClientUploads(server, "fresh.bin")))
      .map(v -> {
        assertStored("plain.txt", plain);
        assertFinalFiles("plain.txt", "after.bin", "fresh.bin");
        assertNoPartials();
        return null;
      })
      .onComplete(testContext.succeedingThenComplete());
  }

  private static byte[] readBytes(Path path) {
    try {
      return Files.readAllBytes(path);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
