package dev.kirim.client;

import io.vertx.core.file.AsyncFile;

/** One file on its way to one target, across connections and retries. */
final class FileTask {

  final LocalFile file;
  final long createdAt = System.nanoTime();
  /** Tries started so far. */
  int attempts;
  /** The open local file while an offer is in flight; read once per try. */
  AsyncFile handle;
  long size;
  long offset;
  /** Set when the local file failed mid-transfer: the task fails without retry. */
  String localErrorCode;
  String localErrorMessage;

  FileTask(LocalFile file) {
    this.file = file;
  }

  void closeHandle() {
    if (handle != null) {
      handle.close();
      handle = null;
    }
  }

  long elapsedMs() {
    return (System.nanoTime() - createdAt) / 1_000_000;
  }
}
