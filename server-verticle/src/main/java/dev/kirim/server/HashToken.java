package dev.kirim.server;

import dev.kirim.launch.KirimCommandLine;
import dev.kirim.server.auth.TokenHash;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * {@code --hash-token}: reads a token on stdin (so that it shows in no process list or shell history) and prints
 * the SHA-256 that the tokens file holds for it. Surrounding whitespace, such as a file's final newline, is not
 * part of the token, as the client does not count it either.
 */
final class HashToken {

  // A token is a line: more than this is not one.
  private static final int MAX_BYTES = 4096;

  private HashToken() {
  }

  /** @return the exit code: 0, or 2 when stdin holds no token */
  static int run(InputStream in, PrintStream out, PrintStream err) {
    String token;
    try {
      byte[] bytes = in.readNBytes(MAX_BYTES + 1);
      if (bytes.length > MAX_BYTES) {
        err.println("kirim-server: error: --hash-token reads one token on stdin, at most " + MAX_BYTES + " bytes");
        return KirimCommandLine.EXIT_USAGE;
      }
      token = new String(bytes, StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      err.println("kirim-server: error: --hash-token cannot read stdin: " + e.getMessage());
      return KirimCommandLine.EXIT_USAGE;
    }
    if (token.isEmpty() || token.contains("\n")) {
      err.println("kirim-server: error: --hash-token reads one token on stdin, e.g. "
        + "java -jar kirim-server.jar --hash-token < aji.token; " + (token.isEmpty() ? "got nothing" : "got several lines"));
      return KirimCommandLine.EXIT_USAGE;
    }
    out.println(TokenHash.hex(token));
    out.flush();
    return 0;
  }
}
