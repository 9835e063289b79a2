package dev.kirim.server.auth;

import io.vertx.core.shareddata.Shareable;

import java.util.concurrent.atomic.AtomicLong;

/**
 * What one client's namespace holds against its {@code maxBytes} and {@code maxFiles}, shared by all the
 * connections and instances of a server (a Vert.x local map value). Usage is what the namespace held when the
 * server started plus what it stored since (a replaced file counts again: the count is recomputed at the next
 * start); uploads accepted but not yet published are reserved, so that parallel uploads cannot together pass
 * the quota.
 */
public final class Quota implements Shareable {

  private final Long maxBytes;
  private final Long maxFiles;
  private final AtomicLong bytes = new AtomicLong();
  private final AtomicLong files = new AtomicLong();

  public Quota(Long maxBytes, Long maxFiles, long bytesHeld, long filesHeld) {
    this.maxBytes = maxBytes;
    this.maxFiles = maxFiles;
    this.bytes.set(bytesHeld);
    this.files.set(filesHeld);
  }

  /**
   * Reserves room for one file of {@code size} bytes.
   *
   * @return {@code null} when reserved, else why not (one line)
   */
  public String tryReserve(long size) {
    long nowBytes = bytes.addAndGet(size);
    long nowFiles = files.incrementAndGet();
    if (maxBytes != null && nowBytes > maxBytes) {
      release(size);
      return "the namespace holds " + (nowBytes - size) + " bytes, this file's " + size + " would pass its quota of "
        + maxBytes + " (maxBytes)";
    }
    if (maxFiles != null && nowFiles > maxFiles) {
      release(size);
      return "the namespace holds " + (nowFiles - 1) + " files, its quota is " + maxFiles + " (maxFiles)";
    }
    return null;
  }

  /** Gives back a reservation whose upload was not published. */
  public void release(long size) {
    bytes.addAndGet(-size);
    files.decrementAndGet();
  }

  public long bytes() {
    return bytes.get();
  }

  public long files() {
    return files.get();
  }
}
