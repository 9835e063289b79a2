package dev.kirim.config;

/**
 * A configuration or usage error: the message names the bad key (or argument) and what to do about it.
 * Launchers print it as one line and exit with code 2, without a stack trace.
 */
public class ConfigException extends RuntimeException {

  public ConfigException(String message) {
    super(message, null, false, false);
  }
}
