package dev.kirim.client;

/** One file on its way to one target, across connections and retries. Event-loop confined. */
final class FileTask {

  final LocalFile file;
  final long createdAt = System.nanoTime();
  /** Tries started so far. */
  int attempts;
  /** Size, mtime and checksum as offered in the current try. */
  LocalFacts.Facts facts;
  /** Where the server wants the body to start (a resume when > 0). */
  long offset;

  FileTask(LocalFile file) {
    this.file = file;
  }

  long elapsedMs() {
    return (System.nanoTime() - createdAt) / 1_000_000;
  }
}
