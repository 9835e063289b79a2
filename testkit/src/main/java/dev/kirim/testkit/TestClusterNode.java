package dev.kirim.testkit;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.MapConfig;
import com.hazelcast.config.MultiMapConfig;
import com.hazelcast.config.NetworkConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

import java.util.List;

/**
 * A clustered Vert.x for tests, with its own Hazelcast configuration object holding what conf/cluster.xml
 * says: TCP-IP join on 127.0.0.1 with an explicit member list, no multicast, no phone home, no join wait.
 */
public final class TestClusterNode {

  private TestClusterNode() {
  }

  /**
   * @param clusterName a name of the test's own, so that concurrent builds on the box never meet
   * @param port        this member's Hazelcast port
   * @param members     {@code 127.0.0.1:port} of the members to try
   */
  public static Future<Vertx> start(String clusterName, int port, List<String> members) {
    return start(clusterName, port, members, false);
  }

  /** @param lite whether to join as a Hazelcast lite member (no partitions), as the client jar does */
  public static Future<Vertx> start(String clusterName, int port, List<String> members, boolean lite) {
    return start(clusterName, port, members, lite, new VertxOptions());
  }

  /**
   * @param options the Vert.x options to start with, e.g. with event-bus TLS; the event bus is set to listen on
   *                127.0.0.1, on a free port
   */
  public static Future<Vertx> start(String clusterName, int port, List<String> members, boolean lite,
                                    VertxOptions options) {
    options.getEventBusOptions().setHost("127.0.0.1").setPort(0);
    return Vertx.builder().with(options)
      .withClusterManager(new HazelcastClusterManager(hazelcastConfig(clusterName, port, members).setLiteMember(lite)))
      .buildClustered();
  }

  public static Config hazelcastConfig(String clusterName, int port, List<String> members) {
    Config config = new Config().setClusterName(clusterName);
    config.setProperty("hazelcast.phone.home.enabled", "false");
    config.setProperty("hazelcast.wait.seconds.before.join", "0");
    config.setProperty("hazelcast.logging.type", "slf4j");
    // A graceful shutdown that cannot hand its partitions over ends after this (default 600 s), within the
    // tests' bound on a close.
    config.setProperty("hazelcast.graceful.shutdown.max.wait", "20");
    NetworkConfig network = config.getNetworkConfig();
    network.setPort(port).setPortAutoIncrement(false);
    network.getInterfaces().setEnabled(true).addInterface("127.0.0.1");
    JoinConfig join = network.getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(true).setMembers(members);
    // The structures Vert.x itself uses, as in vertx-hazelcast's default-cluster.xml.
    config.addMultiMapConfig(new MultiMapConfig("__vertx.subs").setBackupCount(1)
      .setValueCollectionType(MultiMapConfig.ValueCollectionType.SET));
    config.addMapConfig(new MapConfig("__vertx.haInfo").setBackupCount(1));
    config.addMapConfig(new MapConfig("__vertx.nodeInfo").setBackupCount(1));
    return config;
  }
}
