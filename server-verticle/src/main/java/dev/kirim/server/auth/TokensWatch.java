package dev.kirim.server.auth;

import io.vertx.core.Vertx;
import io.vertx.core.shareddata.LocalMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;

/**
 * Reloads the tokens file without a restart, by watching it as the TLS files are watched: every
 * {@link #CHECK_MS} ms its size and modification time are compared with those last loaded; on a change it is read
 * and checked again and, when valid, new connections are admitted by it (connections already admitted keep their
 * client) and its quotas apply at once to every connection ({@link QuotaAccounts}). A file that fails the check
 * keeps the previous clients and says why in one WARN line, logged once per change whatever the number of server
 * instances.
 */
public final class TokensWatch {

  static final long CHECK_MS = 2_000;
  private static final Logger log = LoggerFactory.getLogger("dev.kirim.server.KirimServer");

  private final Vertx vertx;
  private final Path file;
  private final Path root;
  private final Access access;
  private final QuotaAccounts accounts;
  private final LocalMap<String, Boolean> logged;
  private final Function<Path, List<ClientEntry>> load;
  private final long checkMs;
  private String stamp;
  private boolean checking;
  private long timer = -1;

  /**
   * @param accounts the server's quota accounts
   * @param logged   shared by the server's instances, so that each change is logged once
   */
  public TokensWatch(Vertx vertx, Path file, Path root, Access access, QuotaAccounts accounts,
                     LocalMap<String, Boolean> logged) {
    this(vertx, file, root, access, accounts, logged, TokensFile::load, CHECK_MS);
  }

  /** For tests: {@code load} stands for {@link TokensFile#load}, the file is looked at every {@code checkMs}. */
  TokensWatch(Vertx vertx, Path file, Path root, Access access, QuotaAccounts accounts,
              LocalMap<String, Boolean> logged, Function<Path, List<ClientEntry>> load, long checkMs) {
    this.vertx = vertx;
    this.file = file;
    this.root = root;
    this.access = access;
    this.accounts = accounts;
    this.logged = logged;
    this.load = load;
    this.checkMs = checkMs;
  }

  /**
   * @param loadedStamp {@link TokensFile#stamp} of the file as it was when the clients in force were read from
   *                    it: a change made since (before the server listened, say) is loaded at the first check
   */
  public void start(String loadedStamp) {
    stamp = loadedStamp;
    timer = vertx.setPeriodic(checkMs, id -> check());
  }

  public void close() {
    vertx.cancelTimer(timer);
  }

  private void check() {
    if (checking) {
      return;
    }
    checking = true;
    String last = stamp;
    vertx.executeBlocking(() -> {
      String now = TokensFile.stamp(file);
      if (now.equals(last)) {
        return null;
      }
      try {
        List<ClientEntry> clients = load.apply(file);
        Namespaces.prepare(root, clients);
        accounts.update(clients);
        return new Checked(now, clients, null);
      } catch (Exception e) {
        return new Checked(now, null, e);
      }
    }, false).onComplete(ar -> {
      checking = false;
      if (ar.failed()) {
        // Not even checked (an Error): the stamp stays, the file is tried again at the next check.
        logOnce(last + "|error", "Tokens file " + file + " could not be checked, the previous clients stay: "
          + ar.cause(), true);
        return;
      }
      Checked checked = ar.result();
      if (checked == null) {
        return;
      }
      // The stamp read before this load, not one read now: a write that completed since (one not done in a
      // single rename) is a change still to load, and a revoked token must not stay valid for want of a look.
      stamp = checked.stamp();
      if (checked.failure() == null) {
        access.update(checked.clients());
        logOnce(checked.stamp(), "Tokens file " + file + " reloaded: " + checked.clients().size() + " client(s)",
          false);
      } else {
        // Not taken as loaded: a fixed file is tried at its next change.
        logOnce(checked.stamp() + "|failed", "Tokens file " + file + " changed but is not used, the previous "
          + "clients stay: " + checked.failure().getMessage(), true);
      }
    });
  }

  private void logOnce(String key, String line, boolean warn) {
    if (logged.putIfAbsent(file + "|" + key, Boolean.TRUE) == null) {
      if (warn) {
        log.warn(line);
      } else {
        log.info(line);
      }
    }
  }

  /** One look at a changed file: its stamp before it was read, and its clients or why it is not used. */
  private record Checked(String stamp, List<ClientEntry> clients, Exception failure) {
  }
}
