package dev.kirim.server;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * What the server does when an offered name already exists in its storage. Whether the stored copy is the
 * same as the offered file is decided as the offer asks (size and mtime, or checksum); a copy that is the same
 * is always answered {@code skip same}, except under {@code overwrite}.
 */
public enum OnExisting {
  /** Keep the stored copy: {@code skip same}, or {@code skip differs} when it differs (the default). */
  SKIP,
  /** Replace a differing copy atomically once the new one is complete; skip one that is the same. */
  UPDATE,
  /** Receive the file and atomically replace the existing one, even when it is the same. */
  OVERWRITE,
  /** Keep both when they differ: the new one is stored as {@code name-1.ext}, {@code name-2.ext}, … */
  RENAME,
  /** Refuse a differing offer with error {@code exists}. */
  FAIL;

  public String configName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static List<String> configNames() {
    return Arrays.stream(values()).map(OnExisting::configName).toList();
  }

  public static OnExisting fromConfigName(String name) {
    return valueOf(name.toUpperCase(Locale.ROOT));
  }
}
