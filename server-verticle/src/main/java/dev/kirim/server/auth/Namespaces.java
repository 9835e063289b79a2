package dev.kirim.server.auth;

import dev.kirim.protocol.NameRules;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Prepares the clients' directories, at start and at each reload of the tokens file (blocking): creates each,
 * and refuses one that leads out of the storage directory through a symbolic link. What they hold against their
 * quotas is counted by {@link QuotaAccounts}.
 */
public final class Namespaces {

  private Namespaces() {
  }

  /**
   * @throws IOException when a directory cannot be created or read
   * @throws IllegalStateException when a client's directory leaves the storage directory
   */
  public static void prepare(Path root, List<ClientEntry> clients) throws IOException {
    Path realRoot = root.toRealPath();
    for (ClientEntry client : clients) {
      Path dir = directory(root, client);
      Files.createDirectories(dir);
      if (!dir.toRealPath().startsWith(realRoot) || Files.isSymbolicLink(dir)) {
        throw new IllegalStateException("the directory of client '" + client.name() + "', " + dir
          + ", leads out of the storage directory through a symbolic link: fix 'dir' in the tokens file");
      }
    }
  }

  /** @return {@code client}'s directory under the storage directory {@code root} */
  static Path directory(Path root, ClientEntry client) {
    Path dir = root;
    for (String component : NameRules.components(client.dir())) {
      dir = dir.resolve(component);
    }
    return dir;
  }
}
