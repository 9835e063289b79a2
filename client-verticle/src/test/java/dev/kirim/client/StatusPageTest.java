package dev.kirim.client;

import dev.kirim.protocol.Message;
import dev.kirim.server.KirimServer;
import dev.kirim.http.HttpOptions;
import dev.kirim.server.http.ServerHttp;
import dev.kirim.testkit.TestFiles;
import dev.kirim.testkit.WireClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static dev.kirim.testkit.Await.await;
import static dev.kirim.testkit.Await.until;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The status page in a real browser: Debian's chromium, headless, against a real server with one file stored
 * and one upload in flight. What is asserted is rendered by the page's script from {@code /api/status} (the
 * HTML itself holds neither the server id nor any file name), so the script ran. Screenshots, desktop and phone
 * sized, land in {@code target/} (the README's is one of them).
 */
class StatusPageTest extends PushTestBase {

  private static final long BROWSER_TIMEOUT_SECONDS = 90;

  @Test
  void theStatusPageShowsTheServerAndItsUploads(@TempDir Path source, @TempDir Path storage, @TempDir Path profile)
    throws Exception {
    String chromium = chromium();
    KirimServer server = startServer(serverOptions(storage).setServerId("status-page-test"));
    ServerHttp http = await(ServerHttp.create(vertx, server, new HttpOptions().setPort(0)).listen());
    closeAfterTest(http::close);

    TestFiles.writeRandom(source.resolve("quarterly-report.csv"), 54_321, 1);
    assertEquals(1, push(job(source, List.of("quarterly-report.csv"), server)).count(FileStatus.SENT));
    // An upload in flight: half its body sent, the connection kept open.
    byte[] content = TestFiles.randomBytes(2_000_000, 2);
    WireClient wire = await(WireClient.connect(vertx, server.actualPort()));
    closeAfterTest(wire::close);
    await(wire.hello());
    await(wire.offer(1, "big-upload-in-flight.bin", content.length));
    await(wire.expect(Message.Send.class));
    await(wire.sendRaw(new Message.Data(1, 0, content.length).toBuffer().appendBytes(content, 0, 1_000_000)));
    // The server lists the upload once it has read the data header; no event says so.
    await(until(vertx, () -> !server.activity().transfers().isEmpty(),
      "the upload in flight in the server's activity"));

    String url = "http://127.0.0.1:" + http.actualPort() + "/";
    String dom = run(chromium, profile, List.of("--virtual-time-budget=5000", "--dump-dom", url));
    assertTrue(dom.contains("<span id=\"server-id\">status-page-test</span>"), () -> "server id not rendered: " + dom);
    assertTrue(dom.contains("big-upload-in-flight.bin"), () -> "the upload in flight is missing: " + dom);
    assertTrue(dom.contains("quarterly-report.csv"), () -> "the stored file is missing: " + dom);
    assertTrue(dom.contains("listening on 127.0.0.1:" + server.actualPort()), () -> "no address: " + dom);
    assertFalse(dom.contains("cannot read the status"), () -> "the page could not read /api/status: " + dom);

    for (String[] shot : new String[][] {{"status-page.png", "1100,900"}, {"status-page-phone.png", "390,1000"}}) {
      Path png = Path.of("target", shot[0]).toAbsolutePath();
      Files.deleteIfExists(png);
      run(chromium, profile, List.of("--virtual-time-budget=5000", "--hide-scrollbars", "--window-size=" + shot[1],
        "--screenshot=" + png, url));
      assertTrue(Files.size(png) > 10_000, () -> "no screenshot at " + png);
    }
  }

  /** @return chromium's path; fails the test, saying how to install it, when it is not on the PATH */
  private static String chromium() {
    for (String name : List.of("chromium", "chromium-browser")) {
      for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
        Path candidate = Path.of(dir, name);
        if (Files.isExecutable(candidate)) {
          return candidate.toString();
        }
      }
    }
    return fail("chromium is not installed, and the status page must be tested in a real browser: "
      + "install Debian's chromium (apt-get install -y chromium; .ci/run does so)");
  }

  /** Runs headless chromium; its stdout (the DOM with --dump-dom) once it exits, within the timeout. */
  private static String run(String chromium, Path profile, List<String> args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(chromium, "--headless", "--no-sandbox", "--disable-gpu",
      "--no-first-run", "--user-data-dir=" + profile));
    command.addAll(args);
    Path out = profile.resolveSibling(profile.getFileName() + ".out");
    Path err = profile.resolveSibling(profile.getFileName() + ".err");
    Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    try {
      if (!process.waitFor(BROWSER_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        fail("chromium did not finish within " + BROWSER_TIMEOUT_SECONDS + " s: " + command);
      }
      assertEquals(0, process.exitValue(), () -> "chromium failed: " + command + "\n" + read(err));
      return Files.readString(out, StandardCharsets.UTF_8);
    } finally {
      // On every way out (a timeout, an interrupt): chromium and the zygote, renderer and GPU processes it forked.
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      return e.toString();
    }
  }
}
