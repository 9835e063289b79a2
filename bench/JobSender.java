import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * bench helper for the resident-client case: joins kirim's cluster as a plain member and sends push jobs to a
 * push service on "kirim.push", one job per line of stdin, timing each from the request to the report.
 *
 * Run with the source launcher, with the cluster settings of the service (KIRIM_CLUSTER_NAME, _PORT, _MEMBERS):
 *   java -cp kirim-client.jar bench/JobSender.java
 * Prints on stdout:
 *   READY                          joined the cluster
 *   DONE <seconds> <exitCode>      a job's report arrived (exitCode as in the report: 0 = all delivered)
 *   FAIL <reason>                  a job was refused or failed, or no service took it within 60 s
 */
public class JobSender {

  private static final long JOB_TIMEOUT_MS = 600_000;
  private static final long NO_SERVICE_YET_MS = 60_000;

  public static void main(String[] args) {
    int exitCode = 0;
    try {
      run();
    } catch (Exception e) {
      System.out.println("FAIL " + e);
      exitCode = 1;
    }
    // Hazelcast's threads would keep the JVM alive after a failure.
    System.exit(exitCode);
  }

  private static void run() throws Exception {
    // The defaults the kirim launchers set: the bundled Hazelcast configuration, loopback, cluster name and port.
    dev.kirim.cluster.ClusterProperties.apply();
    Vertx vertx = get(Vertx.builder().withClusterManager(new HazelcastClusterManager()).buildClustered(), 120_000);
    System.out.println("READY");
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    String line;
    while ((line = in.readLine()) != null) {
      if (!line.isBlank()) {
        String result;
        try {
          result = send(vertx, new JsonObject(line));
        } catch (Exception e) {
          result = "FAIL " + String.valueOf(e).replaceAll("\\s+", " ");
        }
        System.out.println(result);
      }
    }
    get(vertx.close(), 30_000);
  }

  /** Sends one job; while no service has registered on kirim.push yet (it may be joining), asks again. */
  private static String send(Vertx vertx, JsonObject job) throws Exception {
    long giveUpAt = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(NO_SERVICE_YET_MS);
    while (true) {
      long started = System.nanoTime();
      try {
        Object report = get(vertx.eventBus().request("kirim.push", job,
          new DeliveryOptions().setSendTimeout(JOB_TIMEOUT_MS)), JOB_TIMEOUT_MS + 5_000).body();
        double seconds = (System.nanoTime() - started) / 1e9;
        return String.format(Locale.ROOT, "DONE %.3f %d", seconds, ((JsonObject) report).getInteger("exitCode"));
      } catch (ExecutionException e) {
        if (e.getCause() instanceof ReplyException reply && reply.failureType() == ReplyFailure.NO_HANDLERS
          && System.nanoTime() < giveUpAt) {
          Thread.sleep(200);
          continue;
        }
        return "FAIL " + String.valueOf(e.getCause().getMessage()).replaceAll("\\s+", " ");
      }
    }
  }

  private static <T> T get(Future<T> future, long timeoutMs) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(timeoutMs, TimeUnit.MILLISECONDS);
  }
}
