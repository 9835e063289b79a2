package dev.kirim.net;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/** How kirim writes network addresses, and the one look-up of this machine's name. */
public final class Addresses {

  private Addresses() {
  }

  /**
   * @return {@code host:port}, an IPv6 literal in brackets ({@code [::1]:25563}): the form targets, registry
   *   records and log lines use
   */
  public static String hostPort(String host, int port) {
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
  }

  /**
   * @return this machine's host name, {@code localhost} when it has none that resolves; looked up once per
   *   JVM (the look-up may ask DNS, which can take seconds on a badly configured host)
   */
  public static String localHostName() {
    return LocalHost.NAME;
  }

  /**
   * @return whether {@code host}, as a client wrote it (a {@code Host} header), names this machine's loopback:
   *   {@code localhost}, {@code 127.x.y.z}, {@code ::1}. Never asks DNS: the text alone decides.
   */
  public static boolean isLoopbackName(String host) {
    String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    return bare.equalsIgnoreCase("localhost") || bare.equals("::1") || LOOPBACK_V4.matcher(bare).matches();
  }

  private static final Pattern LOOPBACK_V4 = Pattern.compile("127(\\.(25[0-5]|2[0-4]\\d|1?\\d?\\d)){3}");

  /** @return an address of this machine for others to reach it by, {@code 127.0.0.1} when none resolves */
  public static String localHostAddress() {
    return LocalHost.ADDRESS;
  }

  // Initialised on first use only: a program that never needs the name never pays for the look-up.
  private static final class LocalHost {
    static final String NAME;
    static final String ADDRESS;

    static {
      String name = "localhost";
      String address = "127.0.0.1";
      try {
        InetAddress local = InetAddress.getLocalHost();
        name = local.getHostName();
        address = local.getHostAddress();
      } catch (UnknownHostException e) {
        // A host whose own name does not resolve: the loopback defaults above.
      }
      NAME = name;
      ADDRESS = address;
    }
  }
}
