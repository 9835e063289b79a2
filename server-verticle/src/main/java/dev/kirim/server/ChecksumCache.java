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
 * compared, unless it is smaller than {@link #SMALLEST_REMEMBERED}. Blocking.
 */
final class ChecksumCache {

  /**
   * Files smaller than this get no remembered checksum: the JDK opens a file to read or write one of its
   * attributes, so remembering cost a small file three system calls when it was stored (open, fsetxattr,
   * close: a fifth of a put's) and saved none when it was compared, since reading it whole is an open, a read
   * and a close too.
   */
  static final long SMALLEST_REMEMBERED = 64 * 1024;

  private static final Logger log = LoggerFactory.getLogger(ChecksumCache.class);

  private final ExtendedAttributes attributes;

  ChecksumCache(ExtendedAttributes attributes) {
    this.attributes = attributes;
  }

  /** @return whether a file of {@code size} bytes gets its checksum remembered */
  static boolean remembers(long size) {
    return size >= SMALLEST_REMEMBERED;
  }

  /** @return the checksum remembered for {@code file} at this size and mtime, or {@code null} */
  String get(Path file, long size, long mtimeNanos, ChecksumAlgorithm algorithm) {
    if (!remembers(size)) {
      return null;
    }
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
   * Does nothing for a file smaller than {@link #SMALLEST_REMEMBERED}.
   */
  void put(Path file, long size, long mtimeNanos, String checksum, ChecksumAlgorithm algorithm) {
    if (!remembers(size)) {
      return;
    }
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
