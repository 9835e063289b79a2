package dev.kirim.log;

import org.slf4j.ILoggerFactory;
import org.slf4j.Logger;
import org.slf4j.simple.SimpleServiceProvider;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The SLF4J provider of the kirim jars: slf4j-simple with a JSON mode ({@link LogFormat}). Registered in the
 * fat jars only (their {@code META-INF/services}), so that the thin jars and the tests keep plain slf4j-simple
 * and an application embedding kirim keeps its own logging.
 */
public class KirimLoggerProvider extends SimpleServiceProvider {

  private final Map<String, Logger> loggers = new ConcurrentHashMap<>();
  private final ILoggerFactory factory = name -> loggers.computeIfAbsent(name, KirimLogger::new);

  @Override
  public ILoggerFactory getLoggerFactory() {
    return factory;
  }
}
