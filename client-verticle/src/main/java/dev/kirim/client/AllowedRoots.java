package dev.kirim.client;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The directories a push may read under ({@link PushJob#getAllowedRoots()}, set by a push service from its
 * {@code service.allowedRoots}), applied to each selected file by its <em>real</em> path: a symbolic link inside
 * a root that points outside it, or a {@code ..} that climbs out, is refused like a path outside. The roots'
 * own real paths are taken once per push. Blocking (it resolves links).
 * <p>
 * The check is made when the files are selected: someone who may change the directories under a root between
 * then and the read could still swap a file for a link. It guards against what a job asks for, not against the
 * local users who own those directories.
 */
final class AllowedRoots {

  private static final AllowedRoots ANYWHERE = new AllowedRoots(null);

  // null: anywhere.
  private final List<Path> realRoots;

  private AllowedRoots(List<Path> realRoots) {
    this.realRoots = realRoots;
  }

  /** @param roots absolute directories; empty: no restriction */
  static AllowedRoots of(List<Path> roots) {
    if (roots.isEmpty()) {
      return ANYWHERE;
    }
    List<Path> real = new ArrayList<>();
    for (Path root : roots) {
      try {
        real.add(root.toRealPath());
      } catch (IOException e) {
        // A root that does not exist holds nothing to allow.
      }
    }
    return new AllowedRoots(real);
  }

  /** @return {@code file}, or a failed one ({@code not_allowed}) when its real path is outside every root */
  LocalFile check(LocalFile file) {
    if (realRoots == null || !file.pushable()) {
      return file;
    }
    Path real;
    try {
      real = file.path().toRealPath();
    } catch (IOException e) {
      // Missing or unreadable: reading it reports that, and reads nothing outside the roots.
      return file;
    }
    if (realRoots.stream().anyMatch(real::startsWith)) {
      return file;
    }
    return LocalFile.failed(file.path(), file.remoteName(), ClientErrorCode.NOT_ALLOWED, file.path()
      + (real.equals(file.path()) ? "" : " (really " + real + ")") + " is outside the push service's allowed roots "
      + realRoots + ": the service's service.allowedRoots says where its jobs may read");
  }
}
