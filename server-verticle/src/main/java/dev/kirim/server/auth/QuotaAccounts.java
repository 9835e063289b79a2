package dev.kirim.server.auth;

import dev.kirim.io.FileTrees;
import dev.kirim.protocol.NameRules;
import io.vertx.core.shareddata.LocalMap;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The quota accounts of one storage directory's clients: one {@link Quota} per client directory, in a Vert.x
 * local map shared by the instances of the server, so that every connection of a client counts against one
 * total.
 * <p>
 * An account is opened, by counting what the directory holds, when a tokens file first gives its client a limit.
 * Each tokens file loaded afterwards sets its limits in place; one that drops the limits leaves it open without
 * any, still counting, so that limits set again start from what is really held. A tokens file without a client
 * for the directory closes its account: the account is keyed by the directory alone, never by its limits, so a
 * change of limits cannot open a second account beside the first, nor bring back one whose usage went stale.
 * <p>
 * A connection looks its client's account up at each reservation ({@link #accountOf}): one admitted before a
 * reload counts in the account its client has now. A connection of a client taken out of the tokens file keeps
 * the account it last saw until it ends. If the client comes back meanwhile, that connection moves to the new
 * account, but its uploads in flight stay reserved in the old one, and what they publish after the new count is
 * not in it: bounded by those uploads, and counted at the next opening. The instances load a changed tokens file
 * each at its own check (every {@link TokensWatch#CHECK_MS} ms): until all have, the last to load sets the
 * accounts.
 */
public final class QuotaAccounts {

  private final Path root;
  private final LocalMap<String, Quota> shared;

  /** @param shared the server's accounts, shared by its instances */
  public QuotaAccounts(Path root, LocalMap<String, Quota> shared) {
    this.root = root;
    this.shared = shared;
  }

  /** @return the account of {@code client}'s directory at each call: {@code null} while it has none */
  Supplier<Quota> accountOf(ClientEntry client) {
    String key = key(client);
    return () -> shared.get(key);
  }

  /**
   * Blocking: brings the accounts in line with {@code clients}, those of the tokens file just loaded, whose
   * directories {@link Namespaces#prepare} made. New accounts are counted before anything changes: a directory
   * that cannot be read changes nothing.
   *
   * @throws UncheckedIOException when a directory cannot be read
   */
  public void update(List<ClientEntry> clients) {
    Map<String, Quota> opened = new HashMap<>();
    for (ClientEntry client : clients) {
      String key = key(client);
      if (client.hasQuota() && !shared.containsKey(key)) {
        opened.put(key, count(client));
      }
    }
    Set<String> kept = new HashSet<>();
    for (ClientEntry client : clients) {
      String key = key(client);
      Quota account = shared.get(key);
      if (account == null && client.hasQuota()) {
        // Counted above unless another instance closed it since; another may open it at the same moment too,
        // from the same file: the first account in is the one.
        Quota counted = opened.computeIfAbsent(key, k -> count(client));
        Quota raced = shared.putIfAbsent(key, counted);
        account = raced != null ? raced : counted;
      }
      if (account != null) {
        account.limit(client.maxBytes(), client.maxFiles());
        kept.add(key);
      }
    }
    String mine = root + "|";
    for (String key : shared.keySet()) {
      if (key.startsWith(mine) && !kept.contains(key)) {
        shared.remove(key);
      }
    }
  }

  private String key(ClientEntry client) {
    return root + "|" + client.dir();
  }

  /**
   * A new account for {@code client}'s directory, holding its files' bytes and number now, partial uploads left
   * out. Files may vanish while it is walked (uploads publish, partials go): a file gone is not held, not a
   * failure.
   */
  private Quota count(ClientEntry client) {
    long[] held = new long[2];
    try {
      FileTrees.forEachFile(Namespaces.directory(root, client), (file, attributes) -> {
        if (attributes.isRegularFile() && !file.getFileName().toString().endsWith(NameRules.PARTIAL_SUFFIX)) {
          held[0] += attributes.size();
          held[1]++;
        }
      });
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new Quota(client.maxBytes(), client.maxFiles(), held[0], held[1]);
  }
}
