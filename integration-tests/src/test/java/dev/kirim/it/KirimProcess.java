package dev.kirim.it;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * One kirim jar running as a real process, its stdout and stderr captured line by line by two reader
 * threads so that a test can wait for a log line (the event) with a bounded wait instead of sleeping.
 * Every wait fails with the command and everything the process printed so far.
 */
public final class KirimProcess implements AutoCloseable {

  // A safety net for a test JVM that ends without its @AfterEach (interrupted build): no orphan servers.
  private static final Set<Process> RUNNING = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> RUNNING.forEach(Process::destroyForcibly),
      "kirim-it-process-reaper"));
  }

  private final String name;
  private final List<String> command;
  private final Process process;
  private final Object lock = new Object();
  private final List<String> stdout = new ArrayList<>();
  private final List<String> stderr = new ArrayList<>();
  private final List<String> all = new ArrayList<>();
  private final List<Thread> readers = new ArrayList<>();
  private int openStreams = 2;

  private KirimProcess(String name, List<String> command, Process process) {
    this.name = name;
    this.command = List.copyOf(command);
    this.process = process;
    RUNNING.add(process);
    process.onExit().thenRun(() -> RUNNING.remove(process));
    readers.add(reader(process.getInputStream(), stdout, "stdout"));
    readers.add(reader(process.getErrorStream(), stderr, "stderr"));
    readers.forEach(Thread::start);
  }

  static KirimProcess start(String name, Path workDir, List<String> command, Map<String, String> environment) {
    return start(name, workDir, command, environment, "");
  }

  /** @param stdin written to the process's standard input, which is then closed */
  static KirimProcess start(String name, Path workDir, List<String> command, Map<String, String> environment,
                            String stdin) {
    ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile());
    builder.environment().putAll(environment);
    try {
      Process process = builder.start();
      process.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
      process.getOutputStream().close();
      return new KirimProcess(name, command, process);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + command, e);
    }
  }

  private Thread reader(InputStream stream, List<String> lines, String which) {
    Thread thread = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
        for (String line = in.readLine(); line != null; line = in.readLine()) {
          synchronized (lock) {
            lines.add(line);
            all.add(line);
            lock.notifyAll();
          }
        }
      } catch (IOException e) {
        // The process went away (destroyed): what was read so far stays available.
      } finally {
        synchronized (lock) {
          openStreams--;
          lock.notifyAll();
        }
      }
    }, name + "-" + which);
    thread.setDaemon(true);
    return thread;
  }

  /**
   * Waits until the process printed (on stdout or stderr) {@code count} lines matching {@code match}.
   *
   * @return the last of those lines
   */
  public String awaitLines(Predicate<String> match, int count, Duration timeout, String what) {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (lock) {
      while (true) {
        List<String> matching = all.stream().filter(match).toList();
        if (matching.size() >= count) {
          return matching.get(count - 1);
        }
        if (openStreams == 0) {
          throw new AssertionError(name + " ended before printing " + what + "\n" + describe());
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError(name + " did not print " + what + " within " + timeout.toSeconds() + " s\n"
            + describe());
        }
        try {
          TimeUnit.NANOSECONDS.timedWait(lock, left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new AssertionError("interrupted while waiting for " + what, e);
        }
      }
    }
  }

  /** @return the first line containing {@code text}, once printed */
  public String awaitLine(String text, Duration timeout) {
    return awaitLines(line -> line.contains(text), 1, timeout, "a line containing \"" + text + "\"");
  }

  /**
   * Waits for the process to end and for its output to be read completely.
   *
   * @return its exit code
   */
  public int awaitExit(Duration timeout) {
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        throw new AssertionError(name + " did not end within " + timeout.toSeconds() + " s (killed)\n" + describe());
      }
      for (Thread reader : readers) {
        reader.join(TimeUnit.SECONDS.toMillis(10));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while waiting for " + name, e);
    }
    return process.exitValue();
  }

  /** @return the exit code of the ended process */
  public int exitCode() {
    return process.exitValue();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** Sends the process a signal by its PID, e.g. {@code INT} (as Ctrl-C does) or {@code TERM}. */
  public void signal(String name) {
    try {
      Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
      if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
        throw new AssertionError("kill -" + name + " " + process.pid() + " failed\n" + describe());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while signalling " + name, e);
    }
  }

  /** Kills the process at once (SIGKILL): no shutdown hook, no clean close of its sockets by the JVM. */
  public void kill() {
    process.destroyForcibly();
    try {
      process.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  public List<String> stdoutLines() {
    synchronized (lock) {
      return List.copyOf(stdout);
    }
  }

  public List<String> stderrLines() {
    synchronized (lock) {
      return List.copyOf(stderr);
    }
  }

  /** @return stdout and stderr interleaved in the order the lines were read */
  public List<String> outputLines() {
    synchronized (lock) {
      return List.copyOf(all);
    }
  }

  public String stdout() {
    return String.join("\n", stdoutLines());
  }

  public String stderr() {
    return String.join("\n", stderrLines());
  }

  /** @return the last stdout line, the client's verdict ("kirim: …"), or "" */
  public String lastStdoutLine() {
    List<String> lines = stdoutLines();
    return lines.isEmpty() ? "" : lines.get(lines.size() - 1);
  }

  /** @return what a failed assertion should show: the command, the exit state and all output */
  public String describe() {
    String state = process.isAlive() ? "running" : "exit code " + process.exitValue();
    return "--- " + name + " (" + state + "): " + String.join(" ", command) + "\n--- stdout:\n"
      + indent(stdoutLines()) + "--- stderr:\n" + indent(stderrLines()) + "---";
  }

  private static String indent(List<String> lines) {
    return lines.stream().map(line -> "  | " + line + "\n").collect(Collectors.joining());
  }

  /** Stops the process: a polite SIGTERM first, SIGKILL when it does not end within 10 s. */
  @Override
  public void close() {
    if (!process.isAlive()) {
      return;
    }
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }

  @Override
  public String toString() {
    return name;
  }
}
