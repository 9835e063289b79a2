package dev.kirim.server;

import io.vertx.core.Vertx;
import io.vertx.core.shareddata.LocalMap;

import java.nio.file.Path;

/**
 * At most one upload per name at a time: an upload claims its target path before anything is written, and
 * releases it when it ends. The claims live in a Vert.x local map, shared by every server instance in this
 * Vert.x, so that {@code -instances N} keeps the rule.
 */
final class UploadClaims {

  static final String CLAIMS_MAP = "kirim.server.claims";

  private final LocalMap<String, String> claims;

  UploadClaims(Vertx vertx) {
    this.claims = vertx.sharedData().getLocalMap(CLAIMS_MAP);
  }

  /** @return the claim on {@code target} for {@code owner}, or {@code null} when another upload holds it */
  Claim tryClaim(Path target, String owner) {
    String key = target.toString();
    return claims.putIfAbsent(key, owner) == null ? new Claim(key, owner) : null;
  }

  /** A held claim; releasing it more than once is harmless. */
  final class Claim {
    private final String key;
    private final String owner;

    private Claim(String key, String owner) {
      this.key = key;
      this.owner = owner;
    }

    void release() {
      claims.removeIfPresent(key, owner);
    }
  }
}
