package dev.kirim.server;

/**
 * Another live server already holds this server's {@code serverId} in the registry: two servers under one id
 * would share one record, flipping between them, and clients would reach only one of them. The server refuses
 * to start (exit code 3) and the message says how to fix it.
 */
public class DuplicateServerIdException extends RuntimeException {

  public DuplicateServerIdException(String message) {
    super(message, null, false, false);
  }
}
