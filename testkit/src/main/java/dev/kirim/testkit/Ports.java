package dev.kirim.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** Ports for what a test cannot start on port 0 (a process it passes the port to, a Hazelcast member list). */
public final class Ports {

  private Ports() {
  }

  /** @return a TCP port free on 127.0.0.1 a moment ago (bound on port 0, then released) */
  public static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
