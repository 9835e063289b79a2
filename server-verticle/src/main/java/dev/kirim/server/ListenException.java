package dev.kirim.server;

/** The server could not listen on its address: the message says which address and what to do. */
public class ListenException extends RuntimeException {

  public ListenException(String message, Throwable cause) {
    super(message, cause, false, false);
  }
}
