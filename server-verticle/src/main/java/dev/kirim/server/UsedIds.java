package dev.kirim.server;

import java.util.Map;
import java.util.TreeMap;

/**
 * The offer ids a connection has used, so that none is used twice (PROTOCOL.md: ids are never reused, even
 * after their file finished). Kept as ranges of consecutive ids: a client that numbers its offers 0, 1, 2, …
 * (as kirim's does) costs one entry whatever the number of files; scattered ids cost one entry each, up to
 * {@link #MAX_RANGES}.
 */
final class UsedIds {

  static final int MAX_RANGES = 65_536;

  // First id of a range → its last id (inclusive).
  private final TreeMap<Long, Long> ranges = new TreeMap<>();

  boolean contains(long id) {
    Map.Entry<Long, Long> range = ranges.floorEntry(id);
    return range != null && id <= range.getValue();
  }

  /** @return whether another scattered id would pass {@link #MAX_RANGES} */
  boolean full() {
    return ranges.size() >= MAX_RANGES;
  }

  /** Adds an id not yet {@link #contains contained}. */
  void add(long id) {
    Map.Entry<Long, Long> below = ranges.floorEntry(id);
    boolean joinsBelow = below != null && below.getValue() != Long.MAX_VALUE && below.getValue() + 1 == id;
    Long aboveLast = id != Long.MAX_VALUE ? ranges.get(id + 1) : null;
    if (joinsBelow && aboveLast != null) {
      ranges.remove(id + 1);
      ranges.put(below.getKey(), aboveLast);
    } else if (joinsBelow) {
      ranges.put(below.getKey(), id);
    } else if (aboveLast != null) {
      ranges.remove(id + 1);
      ranges.put(id, aboveLast);
    } else {
      ranges.put(id, id);
    }
  }

  int ranges() {
    return ranges.size();
  }
}
