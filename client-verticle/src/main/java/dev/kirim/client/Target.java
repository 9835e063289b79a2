package dev.kirim.client;

import dev.kirim.config.ConfigException;
import dev.kirim.net.Addresses;
import dev.kirim.protocol.Message;

/**
 * A server to push to: {@code host:port}, the port defaulting to 25563. IPv6 literals go in brackets.
 * {@code via} names the cluster target it was resolved from ({@code cluster:all}), {@code null} when listed.
 */
public record Target(String host, int port, String via) {

  public Target(String host, int port) {
    this(host, port, null);
  }

  /**
   * @param spec  {@code host}, {@code host:port} or {@code [v6]:port}
   * @param key   the config key it came from, for the error message
   */
  public static Target parse(String spec, String key) {
    String text = spec.strip();
    String host = text;
    String port = null;
    if (text.startsWith("[")) {
      int close = text.indexOf(']');
      if (close < 0) {
        throw bad(spec, key, "missing ']' after an IPv6 address");
      }
      host = text.substring(1, close);
      if (close + 1 < text.length()) {
        if (text.charAt(close + 1) != ':') {
          throw bad(spec, key, "expected ':' after ']'");
        }
        port = text.substring(close + 2);
      }
    } else if (text.indexOf(':') >= 0 && text.indexOf(':') == text.lastIndexOf(':')) {
      host = text.substring(0, text.indexOf(':'));
      port = text.substring(text.indexOf(':') + 1);
    }
    if (host.isEmpty()) {
      throw bad(spec, key, "the host is empty");
    }
    return new Target(host, port == null ? Message.DEFAULT_PORT : parsePort(port, spec, key));
  }

  private static int parsePort(String port, String spec, String key) {
    try {
      int value = Integer.parseInt(port);
      if (value >= 1 && value <= 65535) {
        return value;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw bad(spec, key, "the port must be a number from 1 to 65535");
  }

  private static ConfigException bad(String spec, String key, String reason) {
    return new ConfigException("config key '" + key + "' is \"" + spec + "\": " + reason
      + " (expected \"host:port\", e.g. \"127.0.0.1:25563\")");
  }

  @Override
  public String toString() {
    return Addresses.hostPort(host, port);
  }
}
