package dev.kirim.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.XmlConfigBuilder;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.util.List;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The bundled Hazelcast configuration parses, and takes its member list and interface from the properties. */
class ClusterConfigTest {

  @Test
  void bundledConfigUsesTheMemberListAndInterfaceProperties() throws Exception {
    Properties properties = new Properties();
    properties.setProperty(ClusterProperties.MEMBERS, "10.0.0.1, 10.0.0.2:5702");
    properties.setProperty(ClusterProperties.INTERFACE, "10.0.0.*");
    properties.setProperty(ClusterProperties.PORT, "6000");
    properties.setProperty(ClusterProperties.NAME, "inbox");
    properties.setProperty(ClusterProperties.LITE, "true");
    Config config = load(properties);
    assertTrue(config.isLiteMember(), "lite member");
    JoinConfig join = config.getNetworkConfig().getJoin();
    assertFalse(join.getMulticastConfig().isEnabled(), "multicast");
    assertTrue(join.getTcpIpConfig().isEnabled(), "tcp-ip");
    assertEquals(List.of("10.0.0.1", "10.0.0.2:5702"), join.getTcpIpConfig().getMembers());
    assertTrue(config.getNetworkConfig().getInterfaces().isEnabled(), "interfaces");
    assertEquals(List.of("10.0.0.*"), List.copyOf(config.getNetworkConfig().getInterfaces().getInterfaces()));
    assertEquals(6000, config.getNetworkConfig().getPort());
    assertEquals("inbox", config.getClusterName());
    assertEquals("false", config.getProperty("hazelcast.phone.home.enabled"));
    assertEquals("0", config.getProperty("hazelcast.wait.seconds.before.join"));
  }

  @Test
  void launcherDefaultsAreLoopback() throws Exception {
    Properties properties = new Properties();
    ClusterProperties.apply(java.util.Map.of(), properties, getClass().getClassLoader(), ip -> false);
    Config config = load(properties);
    assertEquals(List.of("127.0.0.1"), config.getNetworkConfig().getJoin().getTcpIpConfig().getMembers());
    assertEquals(List.of("127.0.0.1"), List.copyOf(config.getNetworkConfig().getInterfaces().getInterfaces()));
    assertEquals(5701, config.getNetworkConfig().getPort());
    assertEquals("kirim", config.getClusterName());
    assertFalse(config.isLiteMember(), "a full member unless the launcher says otherwise");
  }

  private static Config load(Properties properties) throws Exception {
    try (InputStream in = ClusterConfigTest.class.getClassLoader()
      .getResourceAsStream(ClusterProperties.BUNDLED_CONFIG)) {
      return new XmlConfigBuilder(in).setProperties(properties).build();
    }
  }
}
