package dev.kirim.server.auth;

import io.vertx.core.Vertx;
import io.vertx.core.shareddata.LocalMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Reloads the tokens file without a restart, by watching it as the TLS files are watched: every
 * {@link #CHECK_MS} ms its size and modification time are compared with those last loaded; on a change it is read
 * and checked again and, when valid, new connections are admitted by it (connections already admitted keep their
 * client). A file that fails the check keeps the previous clients and says why in one WARN line, logged once per
 * change whatever the number of server instances.
 */
public final class TokensWatch {

  static final long CHECK_MS = 2_000;
  private static final Logger log = LoggerFactory.getLogger("dev.kirim.server.KirimServer");

  private final Vertx vertx;
  private final Path file;
  private final Path root;
  private final Access access;
  private final LocalMap<String, Quota> quotas;
  private final LocalMap<String, Boolean> logged;
  private String stamp;
  private boolean checking;
  private long timer = -1;

  /**
   * @param quotas the server's shared quotas ({@link Namespaces})
   * @param logged shared by the server's instances, so that each change is logged once
   */
  public TokensWatch(Vertx vertx, Path file, Path root, Access access, LocalMap<String, Quota> quotas,
                     LocalMap<String, Boolean> logged) {
    this.vertx = vertx;
    this.file = file;
    this.root = root;
    this.access = access;
    this.quotas = quotas;
    this.logged = logged;
  }

  public void start() {
    stamp = stamp(file);
    timer = vertx.setPeriodic(CHECK_MS, id -> check());
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
      String now = stamp(file);
      if (now.equals(last)) {
        return null;
      }
      List<ClientEntry> clients = TokensFile.load(file);
      return new Loaded(now, clients, Namespaces.prepare(root, clients, quotas));
    }, false).onComplete(ar -> {
      checking = false;
      if (ar.succeeded() && ar.result() != null) {
        stamp = ar.result().stamp();
        access.update(ar.result().clients(), ar.result().quotas());
        logOnce(ar.result().stamp(), "Tokens file " + file + " reloaded: " + ar.result().clients().size() + " client(s)", false);
      } else if (ar.failed()) {
        // Not taken as loaded: a fixed file is tried at its next change.
        stamp = stamp(file);
        logOnce(stamp + "|failed", "Tokens file " + file + " changed but is not used, the previous clients stay: "
          + ar.cause().getMessage(), true);
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

  private static String stamp(Path file) {
    try {
      return Files.size(file) + "@" + Files.getLastModifiedTime(file).toMillis();
    } catch (IOException e) {
      return "missing";
    }
  }

  private record Loaded(String stamp, List<ClientEntry> clients, Map<String, Quota> quotas) {
  }
}
