package dev.kirim.client;

import dev.kirim.cluster.ServerRecord;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

/**
 * The order in which {@code cluster:any} tries the live servers. First a random one of the best: those with room
 * for the whole push (their {@code freeBytes}, which already leaves out what uploads in flight will write) and
 * within {@link #BEST_SHARE} of the most room any of them has. Random, so that clients starting together spread
 * over equally good servers instead of all picking the first one; among the best, so that a nearly full server
 * is not chosen over an empty one. Then the other servers with room, most room first; then those without, most
 * room first (a push of many files may still fit there in part).
 */
final class AnyOrder {

  /** A server with at least this share of the most room among those that fit counts as one of the best. */
  static final double BEST_SHARE = 0.8;

  private static final Comparator<ServerRecord> MOST_ROOM = Comparator.comparingLong(ServerRecord::freeBytes)
    .reversed().thenComparing(ServerRecord::serverId);

  private final long neededBytes;
  private final Random random;

  /** @param neededBytes the size of everything the push sends */
  AnyOrder(long neededBytes, Random random) {
    this.neededBytes = neededBytes;
    this.random = random;
  }

  List<ServerRecord> order(List<ServerRecord> servers) {
    List<ServerRecord> fitting = new ArrayList<>();
    List<ServerRecord> tooSmall = new ArrayList<>();
    for (ServerRecord server : servers) {
      (server.freeBytes() >= neededBytes ? fitting : tooSmall).add(server);
    }
    fitting.sort(MOST_ROOM);
    tooSmall.sort(MOST_ROOM);
    List<ServerRecord> best = new ArrayList<>();
    if (!fitting.isEmpty()) {
      long most = fitting.get(0).freeBytes();
      fitting.stream().filter(server -> server.freeBytes() >= most * BEST_SHARE).forEach(best::add);
      Collections.shuffle(best, random);
    }
    List<ServerRecord> ordered = new ArrayList<>(best);
    fitting.stream().filter(server -> !best.contains(server)).forEach(ordered::add);
    ordered.addAll(tooSmall);
    return ordered;
  }
}
