package dev.kirim.cluster;

/**
 * The names both jars agree on when they share a Vert.x (clustered or not): the registry map and the event
 * bus addresses. Kept in one place so that the server, the client and any third verticle cannot drift apart.
 * Their content is described in docs/CLUSTER.md.
 */
public final class KirimCluster {

  /** The {@code AsyncMap<String, JsonObject>} where every server keeps its {@link ServerRecord}, by server id. */
  public static final String SERVERS_MAP = "kirim.servers";
  /** Where a server publishes a {@link ReceivedEvent} for every file it published. */
  public static final String RECEIVED_ADDRESS = "kirim.received";
  /** Where a client running as a service takes push jobs and replies with the report. */
  public static final String PUSH_ADDRESS = "kirim.push";
  /** Target that pushes to every registered server. */
  public static final String TARGET_ALL = "cluster:all";
  /** Target that pushes to the registered server with the most free space. */
  public static final String TARGET_ANY = "cluster:any";

  private KirimCluster() {
  }
}
