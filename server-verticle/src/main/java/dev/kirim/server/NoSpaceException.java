package dev.kirim.server;

import java.io.IOException;

/** A write failed because the storage's file system is full (see {@link StorageDirectory#diagnose}). */
final class NoSpaceException extends IOException {

  NoSpaceException(IOException cause) {
    super("the storage's file system is full (" + cause.getMessage() + ")", cause);
  }
}
