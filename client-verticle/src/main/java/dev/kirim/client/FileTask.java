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
  /**
   * The resume id the server gave with its last {@code send} of this file, presented in the next offer so that
   * it continues the server's partial; {@code null} before. Kept in memory only: a new run resumes only on a
   * server that authenticates it (whose partials are keyed by the client), else it starts from 0.
   */
  String resumeId;
  /** The algorithm the server asked the commit in (SHA-256 for a resume); {@code null}: the offer's. */
  dev.kirim.protocol.ChecksumAlgorithm commitAlgorithm;
  /** The checksum of the whole file as committed in the current try; {@code null} before the commit. */
  String committedChecksum;
  /** Why the current try's upload was cancelled after its body (the file changed); {@code null} otherwise. */
  String cancelledBecause;
  /** {@link System#nanoTime()} of the first failed try, 0 before: {@code retry.maxElapsedMs} counts from it. */
  long firstFailureAt;
  /** The code and message of the last failed try ({@code null} before): the root cause a later failure keeps. */
  String lastErrorCode;
  String lastError;
  /** Whether the current try sent the file whole in a {@code put}. */
  boolean put;
  /** Set when a put of the file was refused {@code busy}: later tries offer it, and so wait for the name. */
  boolean offerOnly;

  FileTask(LocalFile file) {
    this.file = file;
  }

  long elapsedMs() {
    return (System.nanoTime() - createdAt) / 1_000_000;
  }
}
