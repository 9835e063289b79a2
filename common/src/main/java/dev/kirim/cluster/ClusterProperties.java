package dev.kirim.cluster;

import dev.kirim.config.ConfigException;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * Prepares the system properties that {@code -cluster} reads, before the launcher starts Vert.x, so that the
 * bundled Hazelcast configuration works without editing: Hazelcast's XML replaces {@code ${name}} from system
 * properties but has no default syntax, so the defaults are set here. Explicit settings always win:
 * a {@code -D} property over an environment variable over the loopback default, and
 * {@code -Dvertx.hazelcast.config} or a {@code cluster.xml} on the classpath over the bundled file. Without
 * an interface, the member-list address that belongs to this host is taken (hosts usually share one list).
 * Sets strings only: standalone runs never load Hazelcast.
 */
public final class ClusterProperties {

  public static final String MEMBERS = "kirim.cluster.members";
  public static final String MEMBERS_ENV = "KIRIM_CLUSTER_MEMBERS";
  public static final String INTERFACE = "kirim.cluster.interface";
  public static final String INTERFACE_ENV = "KIRIM_CLUSTER_INTERFACE";
  public static final String PORT = "kirim.cluster.port";
  public static final String PORT_ENV = "KIRIM_CLUSTER_PORT";
  public static final String NAME = "kirim.cluster.name";
  public static final String NAME_ENV = "KIRIM_CLUSTER_NAME";
  /** Whether this node joins as a Hazelcast lite member: no partitions, so its joining and leaving move no data. */
  public static final String LITE = "kirim.cluster.lite";
  public static final String LITE_ENV = "KIRIM_CLUSTER_LITE";
  public static final String DEFAULT_MEMBERS = "127.0.0.1";
  public static final String DEFAULT_PORT = "5701";
  public static final String DEFAULT_NAME = "kirim";
  public static final String DEFAULT_INTERFACE = "127.0.0.1";
  /** The property vertx-hazelcast reads its configuration location from. */
  public static final String HAZELCAST_CONFIG = "vertx.hazelcast.config";
  /** The copy of {@code conf/cluster.xml} both jars carry. */
  public static final String BUNDLED_CONFIG = "kirim-cluster.xml";

  private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
  private static final Pattern INTERFACE_PATTERN = Pattern.compile(
    "(\\*|\\d{1,3}(-\\d{1,3})?)(\\.(\\*|\\d{1,3}(-\\d{1,3})?)){3}");
  /** What the Hazelcast schema takes for a port (an unsignedShort) and for lite-member's enabled (a boolean). */
  private static final Pattern PORT_NUMBER = Pattern.compile("\\+?\\d{1,5}");
  private static final Set<String> BOOLEANS = Set.of("true", "false", "1", "0");
  private static final String CLASSPATH = "classpath:";

  private ClusterProperties() {
  }

  /** Applies the defaults to the JVM's system properties from its environment; a full member by default. */
  public static void apply() {
    apply(false);
  }

  /**
   * Applies the defaults to the JVM's system properties from its environment.
   *
   * @param liteByDefault whether to join as a lite member unless {@value #LITE} or {@value #LITE_ENV} says
   *                      otherwise: true for a client, which holds no data of the cluster's
   */
  public static void apply(boolean liteByDefault) {
    fill(System.getProperties(), LITE, System.getenv(LITE_ENV), Boolean.toString(liteByDefault));
    apply(System.getenv(), System.getProperties(), ClusterProperties.class.getClassLoader(),
      ClusterProperties::isLocalAddress);
  }

  /**
   * @param env        environment variables
   * @param properties the properties to complete
   * @param loader     where a user's {@code cluster.xml} would be found
   * @param isLocal    whether an IP address literal belongs to this host
   */
  public static void apply(Map<String, String> env, Properties properties, ClassLoader loader,
                           Predicate<String> isLocal) {
    fill(properties, MEMBERS, env.get(MEMBERS_ENV), DEFAULT_MEMBERS);
    fill(properties, INTERFACE, env.get(INTERFACE_ENV), localMember(properties.getProperty(MEMBERS), isLocal));
    fill(properties, PORT, env.get(PORT_ENV), DEFAULT_PORT);
    fill(properties, NAME, env.get(NAME_ENV), DEFAULT_NAME);
    fill(properties, LITE, env.get(LITE_ENV), "false");
    if (properties.getProperty(HAZELCAST_CONFIG) == null && loader.getResource("cluster.xml") == null) {
      properties.setProperty(HAZELCAST_CONFIG, "classpath:" + BUNDLED_CONFIG);
    }
  }

  /**
   * Checks, for {@code -cluster}, what would otherwise end the start in pages of Hazelcast stack trace (a port or
   * a lite flag its schema refuses), or not be reported at all: a {@value #HAZELCAST_CONFIG} naming a file or
   * resource that is not there makes vertx-hazelcast fall back, without a word, to Hazelcast's default
   * configuration, which joins the cluster {@code dev} by multicast on every interface.
   *
   * @param properties the properties after {@link #apply}
   * @param loader     where a {@code classpath:} configuration is looked for
   * @throws ConfigException naming the property, its environment variable and what it must be
   */
  public static void check(Properties properties, ClassLoader loader) {
    check(properties, loader, localIpv4Addresses());
  }

  /** @param localAddresses this host's IPv4 addresses, which the interface must match one of */
  static void check(Properties properties, ClassLoader loader, List<String> localAddresses) {
    String clusterInterface = properties.getProperty(INTERFACE);
    // IPv6 is left to Hazelcast; an IPv4 interface it cannot match ends the start in pages of stack trace.
    if (clusterInterface != null && !clusterInterface.contains(":")) {
      String which = "the cluster interface (-D" + INTERFACE + " or " + INTERFACE_ENV + ") is \"" + clusterInterface
        + "\"";
      if (!INTERFACE_PATTERN.matcher(clusterInterface).matches()) {
        throw new ConfigException(which + ", expected an IPv4 address of this host, whose parts may be * or a "
          + "range (10.0.0.2, 10.0.0.*, 10.0.0.2-9)");
      }
      if (localAddresses.stream().noneMatch(address -> interfaceMatches(clusterInterface, address))) {
        throw new ConfigException(which + ", which matches no address of this host (" + String.join(", ",
          localAddresses) + "): give one of them, or leave it out to use the member list's own address");
      }
    }
    String port = properties.getProperty(PORT);
    if (port != null && !(PORT_NUMBER.matcher(port).matches() && Integer.parseInt(port) <= 65535)) {
      throw new ConfigException("the cluster port (-D" + PORT + " or " + PORT_ENV + ") is \"" + port
        + "\", expected a whole number from 0 to 65535");
    }
    String lite = properties.getProperty(LITE);
    if (lite != null && !BOOLEANS.contains(lite)) {
      throw new ConfigException("-D" + LITE + " (or " + LITE_ENV + ") is \"" + lite + "\", expected true or false");
    }
    String config = properties.getProperty(HAZELCAST_CONFIG);
    if (config == null) {
      return;
    }
    boolean found;
    if (config.startsWith(CLASSPATH)) {
      found = loader.getResource(config.substring(CLASSPATH.length())) != null;
    } else {
      try {
        found = Files.isRegularFile(Path.of(config)) && Files.isReadable(Path.of(config));
      } catch (InvalidPathException e) {
        found = false;
      }
    }
    if (!found) {
      throw new ConfigException("-D" + HAZELCAST_CONFIG + "=" + config + ": no such "
        + (config.startsWith(CLASSPATH) ? "resource on the class path" : "readable file")
        + " (without it Hazelcast's default configuration would join any cluster 'dev' it finds by multicast); "
        + "name an existing Hazelcast XML file, or leave the property out for kirim's bundled configuration");
    }
  }

  /** Hazelcast's syntax for an interface: each part of the IPv4 address a number, * or a range. */
  static boolean interfaceMatches(String clusterInterface, String address) {
    String[] wanted = clusterInterface.split("\\.");
    String[] parts = address.split("\\.");
    if (parts.length != 4) {
      return false;
    }
    for (int i = 0; i < 4; i++) {
      int part = Integer.parseInt(parts[i]);
      String[] range = wanted[i].split("-");
      boolean matches = wanted[i].equals("*") || range.length == 2
        ? wanted[i].equals("*") || Integer.parseInt(range[0]) <= part && part <= Integer.parseInt(range[1])
        : Integer.parseInt(wanted[i]) == part;
      if (!matches) {
        return false;
      }
    }
    return true;
  }

  private static List<String> localIpv4Addresses() {
    List<String> addresses = new ArrayList<>();
    try {
      for (NetworkInterface network : Collections.list(NetworkInterface.getNetworkInterfaces())) {
        for (InetAddress address : Collections.list(network.getInetAddresses())) {
          if (address instanceof Inet4Address) {
            addresses.add(address.getHostAddress());
          }
        }
      }
    } catch (IOException e) {
      // None known: the check says so, and Hazelcast would not have found one either.
    }
    return addresses;
  }

  /** @return the first member given as an IPv4 literal that is an address of this host, else loopback */
  static String localMember(String members, Predicate<String> isLocal) {
    for (String member : members.split(",")) {
      String host = member.strip().replaceFirst(":\\d+$", "");
      if (IPV4.matcher(host).matches() && isLocal.test(host)) {
        return host;
      }
    }
    return DEFAULT_INTERFACE;
  }

  private static boolean isLocalAddress(String ipv4) {
    try {
      return NetworkInterface.getByInetAddress(InetAddress.getByName(ipv4)) != null;
    } catch (IOException e) {
      return false;
    }
  }

  private static void fill(Properties properties, String key, String fromEnv, String fallback) {
    if (properties.getProperty(key) == null) {
      properties.setProperty(key, fromEnv != null && !fromEnv.isBlank() ? fromEnv.strip() : fallback);
    }
  }
}
