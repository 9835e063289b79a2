package dev.kirim.server;

/** How a {@link Publication} that did not fail ended. */
sealed interface Stored {

  /** The file is verified, synced and visible under {@code name} (another name than offered under {@code rename}). */
  record Published(String name, long bytes, String checksum) implements Stored {
  }

  /** The name appeared while the bytes travelled and the policy keeps what is there ({@code same} as offered or not). */
  record Kept(StorageDirectory.Existing existing, boolean same) implements Stored {
  }
}
