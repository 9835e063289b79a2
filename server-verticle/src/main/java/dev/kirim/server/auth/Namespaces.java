package dev.kirim.server.auth;

import dev.kirim.protocol.NameRules;
import io.vertx.core.shareddata.LocalMap;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Prepares the clients' directories at start (blocking): creates each, refuses one that leads out of the
 * storage directory through a symbolic link, and counts what those with a quota hold. The quotas are shared by
 * the instances of the server through {@code shared}, so that they count against one total.
 */
public final class Namespaces {

  private Namespaces() {
  }

  /**
   * @return the quotas by client name
   * @throws IOException when a directory cannot be created or read
   * @throws IllegalStateException when a client's directory leaves the storage directory
   */
  public static Map<String, Quota> prepare(Path root, List<ClientEntry> clients, LocalMap<String, Quota> shared)
    throws IOException {
    Path realRoot = root.toRealPath();
    Map<String, Quota> quotas = new HashMap<>();
    for (ClientEntry client : clients) {
      Path dir = root;
      for (String component : NameRules.components(client.dir())) {
        dir = dir.resolve(component);
      }
      Files.createDirectories(dir);
      if (!dir.toRealPath().startsWith(realRoot) || Files.isSymbolicLink(dir)) {
        throw new IllegalStateException("the directory of client '" + client.name() + "', " + dir
          + ", leads out of the storage directory through a symbolic link: fix 'dir' in the tokens file");
      }
      if (client.hasQuota()) {
        Path counted = dir;
        // Keyed by the limits too: a tokens file that changes them gets a quota counted afresh.
        String key = root + "|" + client.name() + "|" + client.maxBytes() + "|" + client.maxFiles();
        quotas.put(client.name(), shared.computeIfAbsent(key, k -> count(client, counted)));
      }
    }
    return quotas;
  }

  /**
   * What a namespace holds now: its files' bytes and number, partial uploads left out. Files may vanish while
   * it is walked (uploads publish, partials go): a file gone is not held, not a failure.
   */
  private static Quota count(ClientEntry client, Path dir) {
    long[] held = new long[2];
    try {
      Files.walkFileTree(dir, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
          if (attributes.isRegularFile() && !file.getFileName().toString().endsWith(NameRules.PARTIAL_SUFFIX)) {
            held[0] += attributes.size();
            held[1]++;
          }
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFileFailed(Path file, IOException failure) throws IOException {
          if (failure instanceof NoSuchFileException) {
            return FileVisitResult.CONTINUE;
          }
          throw failure;
        }
      });
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return new Quota(client.maxBytes(), client.maxFiles(), held[0], held[1]);
  }
}
