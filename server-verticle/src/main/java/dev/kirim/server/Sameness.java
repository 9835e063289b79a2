package dev.kirim.server;

import dev.kirim.protocol.Message;

import java.time.Instant;

/**
 * Whether a stored copy is the same file as the one offered, compared the way the offer asks: by content when
 * it carries a checksum (sizes and checksums equal), else by rsync's quick check (sizes equal and modification
 * times equal to the millisecond). The quick check misses a change that kept both size and mtime (a tool
 * that restores mtimes, or a clock set back); the content check misses nothing but costs a read of the stored
 * file the first time ({@link ChecksumCache}; every time for a file under 64 KiB, whose read is that cheap).
 */
final class Sameness {

  private Sameness() {
  }

  /** @return whether deciding needs the stored copy's checksum: a content compare of files of equal size */
  static boolean needsChecksum(Message.Offer offer, StorageDirectory.Existing existing) {
    return existing.exists() && offer.checksum() != null && existing.size() == offer.size();
  }

  /** @param existing with its checksum when {@link #needsChecksum} */
  static boolean same(Message.Offer offer, StorageDirectory.Existing existing) {
    if (existing.size() != offer.size()) {
      return false;
    }
    if (offer.checksum() != null) {
      return offer.checksum().equals(existing.checksum());
    }
    return existing.mtimeMillis() == offer.mtime();
  }

  static String describe(StorageDirectory.Existing existing) {
    return existing.size() + " bytes, modified " + Instant.ofEpochMilli(existing.mtimeMillis())
      + (existing.checksum() == null ? "" : ", " + existing.checksum());
  }

  static String describe(Message.Offer offer) {
    return offer.size() + " bytes, modified " + Instant.ofEpochMilli(offer.mtime())
      + (offer.checksum() == null ? "" : ", " + offer.checksum());
  }
}
