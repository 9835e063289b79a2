package dev.kirim.client;

import dev.kirim.server.KirimServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static dev.kirim.testkit.Await.await;
import static dev.kirim.testkit.TestFiles.writePseudoRandom;
import static dev.kirim.testkit.TestFiles.writeSmall;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a real push tells its progress handler: the selection with its size, each body's start and every byte
 * of it (a large file in several regions, a small one from memory), each file's end.
 */
class PushProgressTest extends PushTestBase {

  private static final long BIG = 40L * 1024 * 1024 + 1;

  @TempDir
  Path home;
  @TempDir
  Path storage;

  /** Records the events; they all come on the push's event loop. */
  private static final class Recorder implements PushProgress {
    final List<String> events = new ArrayList<>();
    final Map<String, Long> sent = new HashMap<>();
    final Map<String, Integer> parts = new HashMap<>();
    final List<FileResult> finished = new ArrayList<>();

    @Override
    public void selected(int files, long bytes) {
      events.add("selected " + files + " " + bytes);
    }

    @Override
    public void targetStarted(String target) {
      events.add("target");
    }

    @Override
    public void bodyStarted(String target, String name, long size, long offset) {
      events.add("body " + name + " " + size + " from " + offset);
    }

    @Override
    public void bytesSent(String target, String name, long bytes) {
      sent.merge(name, bytes, Long::sum);
      parts.merge(name, 1, Integer::sum);
    }

    @Override
    public void fileFinished(FileResult result) {
      finished.add(result);
    }
  }

  @Test
  void everyByteOfEveryBodyIsReportedAndEveryFileEnds() {
    writePseudoRandom(home.resolve("big.bin"), BIG, 1);
    writeSmall(home.resolve("small.txt"), 1000, 2);
    KirimServer server = startServer(storage);
    KirimClient client = KirimClient.create(vertx, quickRetries());
    closeAfterTest(client::close);
    Recorder recorder = new Recorder();

    PushReport report = await(client.progressHandler(recorder)
      .push(job(home, List.of("big.bin", "small.txt", "missing.txt"), server)));

    assertEquals(1, report.count(FileStatus.FAILED), report::summary);
    assertEquals("selected 3 " + (BIG + 1000), recorder.events.get(0));
    assertEquals("target", recorder.events.get(1));
    assertTrue(recorder.events.contains("body big.bin " + BIG + " from 0"), recorder.events::toString);
    assertTrue(recorder.events.contains("body small.txt 1000 from 0"), recorder.events::toString);
    assertEquals(Map.of("big.bin", BIG, "small.txt", 1000L), recorder.sent);
    assertTrue(recorder.parts.get("big.bin") > 1, "a large body is counted as it goes: " + recorder.parts);
    assertEquals(3, recorder.finished.size());
    assertEquals(report.results().stream().map(FileResult::name).sorted().toList(),
      recorder.finished.stream().map(FileResult::name).sorted().toList());
  }
}
