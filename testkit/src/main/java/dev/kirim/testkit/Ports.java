package dev.kirim.testkit;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Ports for what a test cannot start on port 0 (a process it passes the port to, a Hazelcast member list).
 * <p>
 * A port the kernel hands out for port 0 comes from the ephemeral range, the same range every outgoing
 * connection takes its local port from: between choosing such a port and binding it, a Hazelcast member's
 * connection could take it ("Port ... is already in use"). So the ports come from below that range, where
 * only a listener could be, and each is bound once to check that none is.
 */
public final class Ports {

  private static final int LOWEST = 10_000;
  private static final int ATTEMPTS = 200;
  private static final Set<Integer> GIVEN = new HashSet<>();

  private Ports() {
  }

  /** @return a TCP port free on 127.0.0.1 now, outside the ephemeral range, not returned before by this JVM */
  public static synchronized int freePort() {
    int end = ephemeralRangeStart();
    for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
      int port = ThreadLocalRandom.current().nextInt(LOWEST, end);
      if (!GIVEN.contains(port) && canBind(port)) {
        GIVEN.add(port);
        return port;
      }
    }
    throw new IllegalStateException("no free port between " + LOWEST + " and " + end + " in " + ATTEMPTS + " tries");
  }

  private static boolean canBind(int port) {
    try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** @return the first port of the kernel's ephemeral range, Linux's default when it cannot be read */
  private static int ephemeralRangeStart() {
    try {
      String range = Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).trim();
      int start = Integer.parseInt(range.split("\\s+")[0]);
      return start > LOWEST + 1_000 ? start : 32_768;
    } catch (IOException | RuntimeException e) {
      return 32_768;
    }
  }
}
