package dev.kirim.log;

import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.event.LoggingEvent;
import org.slf4j.helpers.MessageFormatter;
import org.slf4j.simple.SimpleLogger;
import org.slf4j.spi.LoggingEventAware;

import java.io.PrintStream;
import java.util.List;

/**
 * slf4j-simple's logger (its levels, its configuration file, its text layout) that writes a JSON line instead
 * when {@link LogFormat#active()} is {@link LogFormat#JSON}. Key-value pairs of the fluent API
 * ({@code log.atInfo().addKeyValue("peer", p)}) become JSON keys; the text layout leaves them out, since the
 * message already says the same (being {@link LoggingEventAware} keeps SLF4J from prepending them to it).
 */
final class KirimLogger extends SimpleLogger implements LoggingEventAware {

  // One JSON line is one println under this lock: lines of several threads never interleave.
  private static final Object LOCK = new Object();

  private final String shortName;

  KirimLogger(String name) {
    super(name);
    this.shortName = name.substring(name.lastIndexOf('.') + 1);
  }

  @Override
  public void log(LoggingEvent event) {
    if (LogFormat.active() != LogFormat.JSON) {
      super.log(event);
      return;
    }
    if (isLevelEnabled(event.getLevel().toInt())) {
      Object[] args = event.getArgumentArray();
      String message = MessageFormatter.basicArrayFormat(event.getMessage(), args);
      write(JsonLogLine.format(event.getLevel().name(), shortName, message, event.getKeyValuePairs(),
        event.getThrowable()));
    }
  }

  @Override
  protected void handleNormalizedLoggingCall(Level level, Marker marker, String pattern, Object[] args,
                                             Throwable error) {
    if (LogFormat.active() != LogFormat.JSON) {
      super.handleNormalizedLoggingCall(level, marker, pattern, args, error);
      return;
    }
    write(JsonLogLine.format(level.name(), shortName, MessageFormatter.basicArrayFormat(pattern, args), List.of(),
      error));
  }

  private static void write(String line) {
    // System.err as slf4j-simple's default target; looked up each time, as slf4j-simple does.
    PrintStream err = System.err;
    synchronized (LOCK) {
      err.println(line);
      err.flush();
    }
  }
}
