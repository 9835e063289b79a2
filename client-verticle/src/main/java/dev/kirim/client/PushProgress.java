package dev.kirim.client;

/**
 * What a push reports as it goes, for a progress display ({@link KirimClient#progressHandler}). Every call comes
 * on the push's event loop: an implementation must not block, and needs no locking when it is only read there.
 * Targets are named as in the report ({@code host:port}).
 */
public interface PushProgress {

  /** Reports to nobody. */
  PushProgress NONE = new PushProgress() {
  };

  /**
   * The files are selected: each of them goes to every target.
   *
   * @param bytes their total size (files that cannot be read count 0)
   */
  default void selected(int files, long bytes) {
  }

  /** Pushing to {@code target} starts. */
  default void targetStarted(String target) {
  }

  /**
   * The body of a file starts going out to {@code target}.
   *
   * @param offset where it starts: {@code > 0} resumes an upload the server held part of
   */
  default void bodyStarted(String target, String name, long size, long offset) {
  }

  /** {@code bytes} more of the body of {@code name} went out to {@code target}. */
  default void bytesSent(String target, String name, long bytes) {
  }

  /** A file ended on a target, however (its {@code target} says which). */
  default void fileFinished(FileResult result) {
  }
}
