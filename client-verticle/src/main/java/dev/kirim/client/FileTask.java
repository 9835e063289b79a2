package dev.kirim.client;

/** One file on its way to one target, across connections and retries. */
final class FileTask {

  final LocalFile file;
  final long createdAt = System.nanoTime();
  /** Tries started so far. */
  int attempts;
  /** Size, mtime and checksum as offered in the current try. */
  LocalFacts.Facts facts;
  /** Where the server wants the body to start (a resume when > 0). */
  long offset;
  /** Set when the local file failed mid-transfer: the task fails without retry. */
  String localErrorCode;
  String localErrorMessage;

  FileTask(LocalFile file) {
    this.file = file;
  }

  long elapsedMs() {
    return (System.nanoTime() - createdAt) / 1_000_000;
  }
}
