package dev.kirim.server;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** What the server does when an offered name already exists in its storage. */
public enum OnExisting {
  /** Answer {@code skip}: the client's file is considered delivered (the seed's behaviour, the default). */
  SKIP,
  /** Receive the file and atomically replace the existing one. */
  OVERWRITE,
  /** Receive the file and keep both: the new one is stored as {@code name-1.ext}, {@code name-2.ext}, … */
  RENAME,
  /** Refuse the offer with error {@code exists}. */
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
