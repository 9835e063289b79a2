package dev.kirim.server;

import dev.kirim.protocol.ChecksumAlgorithm;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A stored file's checksum, kept on the file itself ({@code user.kirim.<algorithm>}) with the size and the
 * modification time (in nanoseconds) it was computed for, so that comparing contents with an unchanged file
 * reads nothing. Any write to the file changes its mtime and so retires the value; a change that restores
 * both size and mtime to the nanosecond (deliberately forged) is not noticed, as by a size-and-mtime check.
 * Written for every file kirim publishes, and for a file stored by other means the first time it is
 * compared. Blocking.
 */
final class ChecksumCache {

  private static final Logger log = LoggerFactory.getLogger(ChecksumCache.class);

  private final ExtendedAttributes attributes;

  ChecksumCache(ExtendedAttributes attributes) {
    this.attributes = attributes;
  }

  /** @return the checksum remembered for {@code file} at this size and mtime, or {@code null} */
  String get(Path file, long size, long mtimeNanos, ChecksumAlgorithm algorithm) {
    String value = attributes.read(file, attributeName(algorithm));
    if (value == null) {
      return null;
    }
    String[] fields = value.split(" ");
    if (fields.length != 3 || !fields[0].equals(Long.toString(size)) || !fields[1].equals(Long.toString(mtimeNanos))
      || !algorithm.isWellFormed(fields[2])) {
      return null;
    }
    return fields[2];
  }

  /**
   * Remembers {@code checksum} for {@code file} as it is: {@code size} bytes, modified at {@code mtimeNanos}.
   * A refusal (a full attribute block, a quota) only costs a later read of the file: it is not an error.
   */
  void put(Path file, long size, long mtimeNanos, String checksum, ChecksumAlgorithm algorithm) {
    try {
      attributes.write(file, attributeName(algorithm), size + " " + mtimeNanos + " " + checksum);
    } catch (IOException | UnsupportedOperationException e) {
      log.debug("Cannot remember the checksum of {}: {}", file, e.toString());
    }
  }

  private static String attributeName(ChecksumAlgorithm algorithm) {
    return "kirim." + algorithm.wireName();
  }
}
