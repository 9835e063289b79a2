package dev.kirim.client;

import dev.kirim.protocol.Printable;

import java.io.Flushable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * A push's progress for a person: per target, files done of all, bytes done of all, the rate over the last
 * seconds, the ETA and the file being sent, e.g.
 * <pre>
 * 127.0.0.1:25563  1/3 files  1.4 GiB/2.0 GiB  612.0 MiB/s  ETA 0:01  big.bin
 * </pre>
 * On a terminal it is one live line (one per target, up to {@value #MAX_TARGET_LINES}; beyond, one line for all)
 * redrawn in place at most every {@value #TERMINAL_REDRAW_MS} ms, and cleared when the push ends so the summary
 * follows on a clean screen. In plain mode (not a terminal, {@code --progress}) the same lines are printed
 * every {@value #PLAIN_INTERVAL_MS} ms, never with a control character. A resume is announced on a line of its
 * own, {@code resumed big.bin at 1.4 GiB}, in both modes.
 * <p>
 * Events change the state only; {@link #tick()}, called periodically, draws when it is time. Time comes from
 * the clock given, so that a test drives it without sleeping. Event-loop confined, like the push.
 */
public final class ProgressLine implements PushProgress {

  public static final long TERMINAL_REDRAW_MS = 250;
  public static final long PLAIN_INTERVAL_MS = 2000;
  static final int MAX_TARGET_LINES = 4;
  private static final long RATE_WINDOW_NANOS = TimeUnit.SECONDS.toNanos(5);
  private static final long MIN_RATE_SPAN_NANOS = TimeUnit.MILLISECONDS.toNanos(200);
  private static final String ESC = "\u001b[";

  private final Appendable out;
  private final LongSupplier nanoTime;
  private final boolean terminal;
  private final int width;
  private final long intervalNanos;
  private final Map<String, TargetState> targets = new LinkedHashMap<>();
  private int files = -1;
  private long totalBytes = -1;
  private long lastDraw;
  private boolean drawn;
  private int linesOnScreen;
  private int lastLength;
  private boolean finished;
  private boolean interrupted;

  private ProgressLine(Appendable out, LongSupplier nanoTime, boolean terminal, int width, long intervalMs) {
    this.out = out;
    this.nanoTime = nanoTime;
    this.terminal = terminal;
    this.width = width;
    this.intervalNanos = TimeUnit.MILLISECONDS.toNanos(intervalMs);
  }

  /** @param width the terminal's columns: lines are cut to one less, so that none wraps */
  public static ProgressLine terminal(Appendable out, LongSupplier nanoTime, int width) {
    return new ProgressLine(out, nanoTime, true, Math.max(20, width), TERMINAL_REDRAW_MS);
  }

  public static ProgressLine plain(Appendable out, LongSupplier nanoTime) {
    return new ProgressLine(out, nanoTime, false, Integer.MAX_VALUE, PLAIN_INTERVAL_MS);
  }

  /** @return the terminal's width from {@code COLUMNS} when exported, else 80 */
  public static int terminalWidth() {
    try {
      return Integer.parseInt(System.getenv().getOrDefault("COLUMNS", "80").strip());
    } catch (NumberFormatException e) {
      return 80;
    }
  }

  @Override
  public void selected(int files, long bytes) {
    this.files = files;
    this.totalBytes = bytes;
  }

  @Override
  public void targetStarted(String target) {
    targets.putIfAbsent(target, new TargetState(nanoTime.getAsLong()));
  }

  @Override
  public void bodyStarted(String target, String name, long size, long offset) {
    TargetState state = state(target);
    state.sizes.put(name, size);
    state.inFlight.put(name, offset);
    state.current = name;
    if (offset > 0) {
      notice("resumed " + Printable.escape(name) + " at " + PushReport.bytes(offset));
    }
  }

  @Override
  public void bytesSent(String target, String name, long bytes) {
    TargetState state = state(target);
    state.inFlight.merge(name, bytes, Long::sum);
    state.transferred += bytes;
  }

  @Override
  public void fileFinished(FileResult result) {
    TargetState state = state(result.target());
    state.inFlight.remove(result.name());
    Long size = state.sizes.remove(result.name());
    state.completedBytes += result.failed() ? (size == null ? 0 : size) : Math.max(result.bytes(), 0);
    state.done++;
    if (result.failed()) {
      state.failed++;
    }
    if (result.name().equals(state.current)) {
      state.current = state.inFlight.isEmpty() ? null : state.inFlight.keySet().iterator().next();
    }
  }

  /** Samples the rates, and draws when the last drawing is old enough. */
  public void tick() {
    long now = nanoTime.getAsLong();
    targets.values().forEach(state -> state.sample(now));
    if (!finished && !targets.isEmpty() && (!drawn || now - lastDraw >= intervalNanos)) {
      draw(now);
    }
  }

  /** The push is over: a terminal's live lines are cleared; nothing is printed afterwards. */
  public void finish() {
    if (terminal && !finished) {
      if (interrupted && linesOnScreen > 0) {
        // The last state stays on screen (with the terminal's ^C after it); the summary starts on a line of its own.
        write("\n");
        linesOnScreen = 0;
      } else {
        clear();
      }
      flush();
    }
    finished = true;
  }

  /** The push is being interrupted: {@link #finish()} keeps the last lines and ends them with a newline. */
  public void interrupted() {
    interrupted = true;
  }

  private TargetState state(String target) {
    return targets.computeIfAbsent(target, t -> new TargetState(nanoTime.getAsLong()));
  }

  private void notice(String line) {
    if (finished) {
      return;
    }
    if (terminal) {
      clear();
    }
    write(line + "\n");
    if (terminal && drawn) {
      draw(nanoTime.getAsLong());
    } else {
      flush();
    }
  }

  private void draw(long now) {
    List<String> lines = lines(now);
    StringBuilder text = new StringBuilder();
    if (!terminal) {
      lines.forEach(line -> text.append(line).append('\n'));
    } else if (lines.size() == 1 && linesOnScreen <= 1) {
      String line = lines.get(0);
      text.append('\r').append(line).append(" ".repeat(Math.max(0, lastLength - line.length())));
      lastLength = line.length();
    } else {
      text.append('\r');
      if (linesOnScreen > 1) {
        text.append(ESC).append(linesOnScreen - 1).append('A');
      }
      for (int i = 0; i < lines.size(); i++) {
        text.append(lines.get(i)).append(ESC).append('K').append(i < lines.size() - 1 ? "\n" : "");
      }
      if (lines.size() < linesOnScreen) {
        text.append(ESC).append('J');
      }
    }
    if (terminal) {
      linesOnScreen = lines.size();
    }
    write(text.toString());
    flush();
    drawn = true;
    lastDraw = now;
  }

  /** Removes the live lines from a terminal, leaving the cursor where they started. */
  private void clear() {
    if (linesOnScreen == 1) {
      write("\r" + " ".repeat(lastLength) + "\r");
    } else if (linesOnScreen > 1) {
      write("\r" + ESC + (linesOnScreen - 1) + "A" + ESC + "J");
    }
    linesOnScreen = 0;
    lastLength = 0;
  }

  private List<String> lines(long now) {
    List<String> lines = new ArrayList<>();
    if (targets.size() > MAX_TARGET_LINES) {
      Counts all = new Counts(0, 0, 0, -1, null);
      for (TargetState state : targets.values()) {
        all = all.plus(state.counts(now));
      }
      lines.add(line(targets.size() + " targets", all, targets.size()));
      return lines;
    }
    int labelWidth = targets.keySet().stream().mapToInt(String::length).max().orElse(0);
    targets.forEach((target, state) -> lines.add(line(pad(target, labelWidth), state.counts(now), 1)));
    return lines;
  }

  private String line(String label, Counts counts, int targetCount) {
    StringBuilder line = new StringBuilder(label).append("  ").append(counts.done()).append('/')
      .append(files < 0 ? "?" : String.valueOf((long) files * targetCount)).append(" files");
    if (counts.failed() > 0) {
      line.append(" (").append(counts.failed()).append(" failed)");
    }
    long total = totalBytes < 0 ? -1 : totalBytes * targetCount;
    long done = total < 0 ? counts.bytes() : Math.min(counts.bytes(), total);
    line.append("  ").append(PushReport.bytes(done));
    if (total >= 0) {
      line.append('/').append(PushReport.bytes(total));
    }
    double rate = counts.rate();
    if (rate >= 0) {
      line.append("  ").append(PushReport.bytes((long) rate)).append("/s");
      if (total > done && rate > 0) {
        line.append("  ETA ").append(duration((long) Math.ceil((total - done) / rate)));
      }
    }
    return fit(line.toString(), counts.current());
  }

  /** Appends the current file as far as the width allows (its end, the more telling part), else cuts the line. */
  private String fit(String line, String name) {
    // A file name may hold control or direction characters: shown escaped, as in the summary and the logs.
    String current = name == null ? null : Printable.escape(name);
    int room = width - 1 - line.length() - 2;
    if (current != null && room >= 8) {
      return line + "  " + (columns(current) <= room ? current : "..." + tail(current, room - 3));
    }
    return line.length() < width ? line : line.substring(0, width - 1);
  }

  /**
   * @return the end of {@code text} that takes at most {@code columns} columns, cut between whole characters (a
   *   surrogate pair is never split in two)
   */
  static String tail(String text, int columns) {
    int start = text.length();
    int used = 0;
    while (start > 0) {
      int codePoint = text.codePointBefore(start);
      int wide = columns(codePoint);
      if (used + wide > columns) {
        break;
      }
      used += wide;
      start -= Character.charCount(codePoint);
    }
    // A combining mark whose letter was cut off would sit on the "..." before it.
    while (start < text.length() && columns(text.codePointAt(start)) == 0) {
      start += Character.charCount(text.codePointAt(start));
    }
    return text.substring(start);
  }

  /** @return how many terminal columns {@code text} takes: CJK and other wide characters two, combining marks none */
  static int columns(String text) {
    return text.codePoints().map(ProgressLine::columns).sum();
  }

  private static int columns(int codePoint) {
    int type = Character.getType(codePoint);
    if (type == Character.NON_SPACING_MARK || type == Character.ENCLOSING_MARK) {
      return 0;
    }
    // East Asian wide and fullwidth ranges, and the emoji planes: what terminals draw in two cells.
    boolean wide = codePoint >= 0x1100 && codePoint <= 0x115F || codePoint >= 0x2E80 && codePoint <= 0xA4CF
      || codePoint >= 0xAC00 && codePoint <= 0xD7A3 || codePoint >= 0xF900 && codePoint <= 0xFAFF
      || codePoint >= 0xFE30 && codePoint <= 0xFE4F || codePoint >= 0xFF00 && codePoint <= 0xFF60
      || codePoint >= 0xFFE0 && codePoint <= 0xFFE6 || codePoint >= 0x1F300 && codePoint <= 0x1F6FF
      || codePoint >= 0x1F900 && codePoint <= 0x1FAFF || codePoint >= 0x20000 && codePoint <= 0x3FFFD;
    return wide ? 2 : 1;
  }

  static String duration(long seconds) {
    if (seconds >= 100 * 3600) {
      return "--";
    }
    return seconds >= 3600
      ? String.format(Locale.ROOT, "%d:%02d:%02d", seconds / 3600, seconds / 60 % 60, seconds % 60)
      : String.format(Locale.ROOT, "%d:%02d", seconds / 60, seconds % 60);
  }

  private static String pad(String text, int width) {
    return text + " ".repeat(Math.max(0, width - text.length()));
  }

  private void write(String text) {
    try {
      out.append(text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void flush() {
    if (out instanceof Flushable flushable) {
      try {
        flushable.flush();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /** What a line shows; {@code rate} is -1 while unknown. */
  private record Counts(int done, int failed, long bytes, double rate, String current) {
    Counts plus(Counts other) {
      double sum = rate < 0 ? other.rate : other.rate < 0 ? rate : rate + other.rate;
      return new Counts(done + other.done, failed + other.failed, bytes + other.bytes, sum,
        other.current != null ? other.current : current);
    }
  }

  /** One target's counts and the samples its rate is computed from. */
  private static final class TargetState {
    final Map<String, Long> inFlight = new LinkedHashMap<>();
    final Map<String, Long> sizes = new HashMap<>();
    final Deque<long[]> samples = new ArrayDeque<>();
    long completedBytes;
    long transferred;
    int done;
    int failed;
    String current;

    TargetState(long startedAt) {
      samples.add(new long[] {startedAt, 0});
    }

    long bytes() {
      return completedBytes + inFlight.values().stream().mapToLong(Long::longValue).sum();
    }

    void sample(long now) {
      samples.add(new long[] {now, transferred});
      while (samples.size() > 2 && now - samples.peekFirst()[0] > RATE_WINDOW_NANOS) {
        samples.removeFirst();
      }
    }

    /** @return bytes per second over the last few seconds, or -1 before there is enough to tell */
    double rate(long now) {
      long[] first = samples.peekFirst();
      long span = now - first[0];
      return span < MIN_RATE_SPAN_NANOS ? -1 : (transferred - first[1]) * 1e9 / span;
    }

    Counts counts(long now) {
      return new Counts(done, failed, bytes(), rate(now), current);
    }
  }
}
