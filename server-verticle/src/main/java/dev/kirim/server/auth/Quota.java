package dev.kirim.server.auth;

import io.vertx.core.shareddata.Shareable;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The account of one client directory: what it holds against its {@code maxBytes} and {@code maxFiles}, shared
 * by all the connections of its client and all the instances of a server ({@link QuotaAccounts}, a Vert.x local
 * map value). Usage is what the directory held when the account was opened plus what was stored since (a
 * replaced file counts again: the count is recomputed when an account is opened again); uploads accepted but not
 * yet published are reserved, so that parallel uploads cannot together pass the quota.
 * <p>
 * The limits are those of the tokens file last loaded: a reload changes them here, in place, so that every
 * connection, admitted before the reload or after, is held to them at once and counts in this one account.
 */
public final class Quota implements Shareable {

  // Replaced whole, so that a reservation checks both limits of one tokens file.
  private volatile Limits limits;
  private final AtomicLong bytes = new AtomicLong();
  private final AtomicLong files = new AtomicLong();

  public Quota(Long maxBytes, Long maxFiles, long bytesHeld, long filesHeld) {
    this.limits = new Limits(maxBytes, maxFiles);
    this.bytes.set(bytesHeld);
    this.files.set(filesHeld);
  }

  /**
   * New limits from a reloaded tokens file ({@code null}: none). Usage stays as it is: it counts what the
   * directory holds and what is reserved, which a change of limits does not change.
   */
  void limit(Long maxBytes, Long maxFiles) {
    limits = new Limits(maxBytes, maxFiles);
  }

  /**
   * Reserves room for one file of {@code size} bytes.
   *
   * @return {@code null} when reserved, else why not (one line)
   */
  public String tryReserve(long size) {
    Limits now = limits;
    long nowBytes = bytes.addAndGet(size);
    long nowFiles = files.incrementAndGet();
    if (now.maxBytes() != null && nowBytes > now.maxBytes()) {
      release(size);
      return "the namespace holds " + (nowBytes - size) + " bytes, this file's " + size + " would pass its quota of "
        + now.maxBytes() + " (maxBytes)";
    }
    if (now.maxFiles() != null && nowFiles > now.maxFiles()) {
      release(size);
      return "the namespace holds " + (nowFiles - 1) + " files, its quota is " + now.maxFiles() + " (maxFiles)";
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

  private record Limits(Long maxBytes, Long maxFiles) {
  }
}
