package dev.kirim.net;

import java.net.InetAddress;
import java.net.UnknownHostException;

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
