package dev.kirim.cluster;

import dev.kirim.config.ConfigException;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClusterPropertiesTest {

  private final ClassLoader plain = new URLClassLoader(new URL[0], null);

  @Test
  void defaultsToLoopbackAndTheBundledConfig() {
    Properties props = new Properties();
    ClusterProperties.apply(Map.of(), props, plain, ip -> false);
    assertEquals("127.0.0.1", props.getProperty(ClusterProperties.MEMBERS));
    assertEquals("127.0.0.1", props.getProperty(ClusterProperties.INTERFACE));
    assertEquals("5701", props.getProperty(ClusterProperties.PORT));
    assertEquals("kirim", props.getProperty(ClusterProperties.NAME));
    assertEquals("classpath:kirim-cluster.xml", props.getProperty(ClusterProperties.HAZELCAST_CONFIG));
  }

  @Test
  void environmentFillsWhatPropertiesLeaveUnset() {
    Properties props = new Properties();
    props.setProperty(ClusterProperties.MEMBERS, "10.0.0.1");
    ClusterProperties.apply(Map.of("KIRIM_CLUSTER_MEMBERS", "10.9.9.9", "KIRIM_CLUSTER_INTERFACE", " 10.0.0.* "),
      props, plain, ip -> true);
    assertEquals("10.0.0.1", props.getProperty(ClusterProperties.MEMBERS));
    assertEquals("10.0.0.*", props.getProperty(ClusterProperties.INTERFACE));
  }

  @Test
  void withoutAnInterfaceTheMemberThatIsThisHostIsTaken() {
    Properties props = new Properties();
    ClusterProperties.apply(Map.of("KIRIM_CLUSTER_MEMBERS", "node-a, 10.0.0.1:5701,10.0.0.2"), props, plain,
      ip -> ip.equals("10.0.0.2"));
    assertEquals("10.0.0.2", props.getProperty(ClusterProperties.INTERFACE));
    assertEquals("127.0.0.1", ClusterProperties.localMember("10.0.0.1,10.0.0.2", ip -> false));
    assertEquals("127.0.0.1", ClusterProperties.localMember("127.0.0.1", ip -> true));
  }

  @Test
  void explicitHazelcastConfigWins() {
    Properties props = new Properties();
    props.setProperty(ClusterProperties.HAZELCAST_CONFIG, "/etc/kirim/hz.xml");
    ClusterProperties.apply(Map.of(), props, plain, ip -> false);
    assertEquals("/etc/kirim/hz.xml", props.getProperty(ClusterProperties.HAZELCAST_CONFIG));
  }

  @Test
  void aClusterXmlOnTheClasspathWins(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("cluster.xml"), "<hazelcast/>");
    Properties props = new Properties();
    ClusterProperties.apply(Map.of(), props, new URLClassLoader(new URL[]{dir.toUri().toURL()}, null), ip -> false);
    assertNull(props.getProperty(ClusterProperties.HAZELCAST_CONFIG));
  }

  @Test
  void theBundledAndAnExistingHazelcastConfigPassTheCheck(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
    Properties props = new Properties();
    ClusterProperties.apply(Map.of("KIRIM_CLUSTER_PORT", "47000", "KIRIM_CLUSTER_LITE", "true"), props, plain,
      ip -> false);
    ClusterProperties.check(props, ClusterProperties.class.getClassLoader());

    Path file = Files.writeString(dir.resolve("hz.xml"), "<hazelcast/>");
    props.setProperty(ClusterProperties.HAZELCAST_CONFIG, file.toString());
    ClusterProperties.check(props, plain);
  }

  @Test
  void aHazelcastConfigThatIsNotThereIsOneLineNotASilentMulticastCluster(@org.junit.jupiter.api.io.TempDir Path dir) {
    Properties props = new Properties();
    String missing = dir.resolve("hz-typo.xml").toString();
    props.setProperty(ClusterProperties.HAZELCAST_CONFIG, missing);
    ClusterProperties.apply(Map.of(), props, plain, ip -> false);
    ConfigException e = assertThrows(ConfigException.class, () -> ClusterProperties.check(props, plain));
    assertEquals("-Dvertx.hazelcast.config=" + missing + ": no such readable file (without it Hazelcast's default "
      + "configuration would join any cluster 'dev' it finds by multicast); name an existing Hazelcast XML file, "
      + "or leave the property out for kirim's bundled configuration", e.getMessage());

    props.setProperty(ClusterProperties.HAZELCAST_CONFIG, dir.toString());
    assertThrows(ConfigException.class, () -> ClusterProperties.check(props, plain));
    props.setProperty(ClusterProperties.HAZELCAST_CONFIG, "classpath:no-such-cluster.xml");
    e = assertThrows(ConfigException.class, () -> ClusterProperties.check(props, plain));
    assertEquals(true, e.getMessage().contains("no such resource on the class path"), e.getMessage());
  }

  @Test
  void aBadClusterPortOrLiteFlagIsOneLineNamingTheVariable() {
    Properties props = new Properties();
    ClusterProperties.apply(Map.of("KIRIM_CLUSTER_PORT", "abc"), props, plain, ip -> false);
    ConfigException e = assertThrows(ConfigException.class,
      () -> ClusterProperties.check(props, ClusterProperties.class.getClassLoader()));
    assertEquals("the cluster port (-Dkirim.cluster.port or KIRIM_CLUSTER_PORT) is \"abc\", expected a whole number "
      + "from 0 to 65535", e.getMessage());
    props.setProperty(ClusterProperties.PORT, "99999");
    assertThrows(ConfigException.class, () -> ClusterProperties.check(props, ClusterProperties.class.getClassLoader()));

    Properties lite = new Properties();
    ClusterProperties.apply(Map.of("KIRIM_CLUSTER_LITE", "maybe"), lite, plain, ip -> false);
    e = assertThrows(ConfigException.class,
      () -> ClusterProperties.check(lite, ClusterProperties.class.getClassLoader()));
    assertEquals("-Dkirim.cluster.lite (or KIRIM_CLUSTER_LITE) is \"maybe\", expected true or false", e.getMessage());
  }

  /** An interface Hazelcast cannot match ended -cluster in 134 lines of stack trace and exit 11. */
  @Test
  void aClusterInterfaceThatIsNoneOfThisHostsIsOneLine() {
    List<String> local = List.of("127.0.0.1", "10.0.0.2");
    for (String good : List.of("127.0.0.1", "10.0.0.2", "10.0.0.*", "10.0.0.1-9", "*.*.*.*", "fe80::1")) {
      Properties props = new Properties();
      ClusterProperties.apply(Map.of("KIRIM_CLUSTER_INTERFACE", good), props, plain, ip -> false);
      ClusterProperties.check(props, ClusterProperties.class.getClassLoader(), local);
    }
    Properties nonsense = new Properties();
    ClusterProperties.apply(Map.of("KIRIM_CLUSTER_INTERFACE", "nonsense"), nonsense, plain, ip -> false);
    ConfigException e = assertThrows(ConfigException.class,
      () -> ClusterProperties.check(nonsense, ClusterProperties.class.getClassLoader(), local));
    assertEquals("the cluster interface (-Dkirim.cluster.interface or KIRIM_CLUSTER_INTERFACE) is \"nonsense\", "
      + "expected an IPv4 address of this host, whose parts may be * or a range (10.0.0.2, 10.0.0.*, 10.0.0.2-9)",
      e.getMessage());
    for (String elsewhere : List.of("10.0.1.*", "10.0.0.3-9", "192.168.1.1")) {
      Properties props = new Properties();
      ClusterProperties.apply(Map.of("KIRIM_CLUSTER_INTERFACE", elsewhere), props, plain, ip -> false);
      e = assertThrows(ConfigException.class,
        () -> ClusterProperties.check(props, ClusterProperties.class.getClassLoader(), local), elsewhere);
      assertTrue(e.getMessage().endsWith("which matches no address of this host (127.0.0.1, 10.0.0.2): give one of "
        + "them, or leave it out to use the member list's own address"), e.getMessage());
    }
    // The default, without the variable: the member list's local address or loopback, which always passes here.
    Properties defaults = new Properties();
    ClusterProperties.apply(Map.of(), defaults, plain, ip -> false);
    ClusterProperties.check(defaults, ClusterProperties.class.getClassLoader());
  }

  @Test
  void bundledConfigIsConfClusterXml() throws Exception {
    try (var in = ClusterProperties.class.getClassLoader().getResourceAsStream(ClusterProperties.BUNDLED_CONFIG)) {
      assertEquals(Files.readString(Path.of("../conf/cluster.xml")), new String(in.readAllBytes(), "UTF-8"),
        "protocol/src/main/resources/kirim-cluster.xml must be a copy of conf/cluster.xml");
    }
  }

  @Test
  void recordsRoundTripThroughJson() {
    ServerRecord server = new ServerRecord("s1", "::1", 25563, 42, "dev", 2, null, Instant.parse("2026-11-23T10:00:00Z"));
    assertEquals(server, ServerRecord.fromJson(server.toJson()));
    assertEquals("[::1]:25563", server.address());
    ReceivedEvent event = new ReceivedEvent("a.txt", "a-1.txt", 3, "crc32c:00000000", "s1", "127.0.0.1:4000", "me@h",
      Instant.parse("2026-11-23T10:00:00Z"));
    assertEquals(event, ReceivedEvent.fromJson(event.toJson()));
    assertThrows(IllegalArgumentException.class, () -> ServerRecord.fromJson(new JsonObject().put("host", "h")));
  }
}
