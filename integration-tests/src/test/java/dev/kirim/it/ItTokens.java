package dev.kirim.it;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** A tokens file with one client, for the jar tests that run an authenticating server. */
final class ItTokens {

  static final String CLIENT = "it";
  static final String TOKEN = "it-token-5b1f0e3c8d";

  private ItTokens() {
  }

  /**
   * Writes {@code tokens.json} into {@code serverDir}: client {@value #CLIENT}, confined to directory
   * {@value #CLIENT}, with {@link #TOKEN}.
   *
   * @return the server's {@code auth} configuration, to merge into its config
   */
  static JsonObject serverAuth(Path serverDir) {
    JsonObject client = new JsonObject().put("name", CLIENT).put("tokenSha256", sha256(TOKEN)).put("dir", CLIENT);
    try {
      Files.writeString(serverDir.resolve("tokens.json"),
        new JsonObject().put("clients", new JsonArray().add(client)).encodePrettily());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new JsonObject().put("auth", new JsonObject().put("tokensFile", "tokens.json"));
  }

  static String sha256(String token) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
