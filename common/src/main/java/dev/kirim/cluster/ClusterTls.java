package dev.kirim.cluster;

import dev.kirim.config.ConfigException;
import dev.kirim.config.ConfigReader;
import dev.kirim.tls.TlsConfig;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;

/**
 * TLS on the clustered event bus, from the {@code cluster.tls} key both jars read:
 * <code>"cluster": {"tls": {"cert": "member.pem", "key": "member.key", "ca": "cluster-ca.pem"}}</code>.
 * <p>
 * Without it the event bus between members is plain TCP, and any process that reaches a member's event-bus port
 * can send it a message: a push job to {@value KirimCluster#PUSH_ADDRESS}, which a client running as a service
 * executes. With it, every event-bus connection is mutual TLS (1.2 or 1.3): a member accepts a connection only
 * from a peer whose certificate the cluster CA issued, and sends only to such a peer.
 * <p>
 * Trust is "holds a certificate issued by the cluster CA", not a name: members connect to each other by the
 * addresses the cluster manager hands out, which no certificate can be expected to carry, so host names are
 * not verified (Vert.x turns that off for the event bus itself). Any holder of a certificate from the cluster CA
 * is a member: give that CA no other use.
 * <p>
 * Hazelcast's own traffic (membership, the {@value KirimCluster#SERVERS_MAP} map, the event bus's subscription
 * map) is not covered: see docs/CLUSTER.md, "Event-bus TLS".
 * <p>
 * The jars apply it before Vert.x starts; an application embedding kirim in a clustered Vert.x of its own calls
 * {@link #apply(JsonObject, VertxOptions)} on the options it builds that Vert.x with.
 */
public final class ClusterTls {

  /** The configuration key, as messages name it. */
  public static final String KEY = "cluster.tls";

  private ClusterTls() {
  }

  /**
   * @param config a jar's whole configuration ({@code null}: none)
   * @return its {@code cluster.tls}, the files read and checked; {@code null} when it has none
   * @throws ConfigException naming the bad key or file
   */
  public static TlsConfig.Member parse(JsonObject config) {
    if (config == null || !ConfigReader.of(config).object("cluster").has("tls")) {
      return null;
    }
    return TlsConfig.Member.parse(config.getJsonObject("cluster").getValue("tls"), KEY);
  }

  /**
   * Turns on the event-bus TLS that {@code config}'s {@code cluster.tls} asks for, if it does.
   *
   * @param config  the configuration ({@code null}: none)
   * @param options the options the clustered Vert.x is about to be built with
   * @return whether TLS was turned on
   * @throws ConfigException naming the bad key or file
   */
  public static boolean apply(JsonObject config, VertxOptions options) {
    TlsConfig.Member tls = parse(config);
    if (tls != null) {
      apply(tls, options.getEventBusOptions());
    }
    return tls != null;
  }

  /**
   * Sets {@code eventBus} to mutual TLS with {@code tls}'s certificate and CA (the files are read again now).
   *
   * @return {@code eventBus}
   * @throws ConfigException when the files changed since they were checked and are now wrong
   */
  public static EventBusOptions apply(TlsConfig.Member tls, EventBusOptions eventBus) {
    TlsConfig.Material material = tls.load(KEY);
    eventBus.setSsl(true)
      .setKeyCertOptions(new PemKeyCertOptions().addCertValue(material.certificates())
        .addKeyValue(material.privateKey()))
      .setTrustOptions(new PemTrustOptions().addCertValue(material.authorities()))
      // The event bus trusts every server certificate unless told otherwise: a member could then hand messages to
      // a peer that holds no certificate of the cluster's.
      .setTrustAll(false)
      .setClientAuth(ClientAuth.REQUIRED)
      .setEnabledSecureTransportProtocols(TlsConfig.PROTOCOLS);
    // Options read from -options JSON may leave it at 0, which Vert.x refuses once the event bus has TLS.
    if (eventBus.getReconnectInterval() < 1) {
      eventBus.setReconnectInterval(EventBusOptions.DEFAULT_RECONNECT_INTERVAL);
    }
    return eventBus;
  }
}
