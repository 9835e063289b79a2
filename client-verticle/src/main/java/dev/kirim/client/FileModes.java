package dev.kirim.client;

import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;

/** Permission bits as the protocol carries them ({@code offer.mode}): {@code 0755} for {@code rwxr-xr-x}. */
final class FileModes {

  private FileModes() {
  }

  static int bits(Set<PosixFilePermission> permissions) {
    int bits = 0;
    for (PosixFilePermission permission : permissions) {
      // OWNER_READ is the first constant and 0400 the highest bit: the enum runs from high to low.
      bits |= 0400 >> permission.ordinal();
    }
    return bits;
  }
}
