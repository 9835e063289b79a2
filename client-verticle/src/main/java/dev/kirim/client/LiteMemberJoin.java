package dev.kirim.client;

import com.hazelcast.cluster.Member;
import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import io.vertx.core.Completable;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.UUID;

/**
 * Joins the client jar to the cluster as a Hazelcast lite member ({@code kirim.cluster.lite}, the client's
 * default): it owns no partitions, so a one-shot client coming and going moves no data between the servers.
 * <p>
 * Hazelcast cannot store anything in a cluster made only of lite members, and Vert.x writes its node info
 * while joining, so a client alone (no server up yet) would fail to start. This class therefore starts the
 * Hazelcast instance itself, before Vert.x, and promotes the client to a data member when it finds no data
 * member in the cluster: the same as before lite members, only in that case.
 */
final class LiteMemberJoin {

  private static final Logger log = LoggerFactory.getLogger(LiteMemberJoin.class);
  /** The member attribute vertx-hazelcast reads a member's node id from (HazelcastClusterManager). */
  private static final String NODE_ID_ATTRIBUTE = "__vertx.nodeId";

  private LiteMemberJoin() {
  }

  /** @return a builder with a cluster manager on a running instance, or the default builder when not lite */
  static VertxBuilder builder(VertxOptions options) {
    VertxBuilder builder = Vertx.builder().with(options);
    Config config;
    try {
      config = ConfigUtil.loadConfig();
    } catch (RuntimeException e) {
      return builder;   // Vert.x loads it again and reports the problem its usual way
    }
    if (!config.isLiteMember()) {
      return builder;
    }
    // What HazelcastClusterManager does for an instance it starts itself: the Vert.x node id as an attribute.
    config.getMemberAttributeConfig().setAttribute(NODE_ID_ATTRIBUTE, UUID.randomUUID().toString());
    // Vert.x leaves the cluster on exit; Hazelcast's own hook would shut the instance down under its feet.
    config.setProperty("hazelcast.shutdownhook.enabled", "false");
    HazelcastInstance hazelcast;
    try {
      hazelcast = Hazelcast.newHazelcastInstance(config);
    } catch (RuntimeException e) {
      return builder;   // Vert.x tries again and fails its usual way (exit 11)
    }
    if (hazelcast.getCluster().getMembers().stream().allMatch(Member::isLiteMember)) {
      log.info("No data member in cluster '{}' (no server is up): this client joins as a full member",
        config.getClusterName());
      hazelcast.getCluster().promoteLocalLiteMember();
    }
    return builder.withClusterManager(new OwnInstance(hazelcast));
  }

  /** A cluster manager on an instance started here, which it shuts down once Vert.x has left the cluster. */
  private static final class OwnInstance extends HazelcastClusterManager {

    private final HazelcastInstance hazelcast;

    OwnInstance(HazelcastInstance hazelcast) {
      super(hazelcast);
      this.hazelcast = hazelcast;
    }

    @Override
    public void leave(Completable<Void> promise) {
      super.leave((result, failure) -> {
        hazelcast.shutdown();
        promise.complete(result, failure);
      });
    }
  }
}
