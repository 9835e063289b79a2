import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * e2e observer for kirim's cluster: joins the Vert.x cluster as a plain node (the jar on the classpath
 * supplies Vert.x, vertx-hazelcast and the bundled kirim-cluster.xml), reports the server registry and
 * consumes "kirim.received", writing each event as one JSON line to --out. Exits 0 once exactly one event
 * per expected file per server arrived (sizes matching), 1 on a mismatch or at --timeout.
 *
 * Run with the source launcher: java -cp kirim-server.jar -Dkirim.cluster.members=... \
 *   -Dkirim.cluster.interface=IP Observer.java --host IP --servers 2 --names FILE --timeout 90 --out events.jsonl
 *   [--conf '{"cluster": {"tls": {"cert": ..., "key": ..., "ca": ...}}}']
 * --names FILE: one "name<TAB>bytes" per line (the remote names a client pushes).
 * --conf JSON: the members' event-bus TLS (cluster.tls), when they use it, and their cluster.secret: with it,
 *   every event must carry a valid signature (dev.kirim.cluster.ReceivedEvent.verified), else it is a failure.
 *
 * Status lines on stdout start with "OBSERVER ":
 *   OBSERVER READY <ms since start>                  consumer registered cluster-wide
 *   OBSERVER REGISTRY <count> <ms> <id,id,...>        whenever the registry's key set changes
 *   OBSERVER EVENT <server> <name>                   each event
 *   OBSERVER PASS ... | OBSERVER FAIL ...            the verdict
 */
public class Observer {

  static final String RECEIVED = "kirim.received";
  static final String REGISTRY = "kirim.servers";

  public static void main(String[] args) throws IOException {
    Map<String, String> opt = new LinkedHashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      opt.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    }
    String host = opt.getOrDefault("host", "127.0.0.1");
    int servers = Integer.parseInt(opt.getOrDefault("servers", "1"));
    long timeoutMs = Long.parseLong(opt.getOrDefault("timeout", "90")) * 1000L;
    Path out = Path.of(opt.getOrDefault("out", "events.jsonl"));
    Map<String, Long> expected = new TreeMap<>();
    if (opt.containsKey("names")) {
      for (String line : Files.readAllLines(Path.of(opt.get("names")), StandardCharsets.UTF_8)) {
        if (line.isBlank()) {
          continue;
        }
        String[] parts = line.split("\t");
        expected.put(parts[0], parts.length > 1 ? Long.parseLong(parts[1].trim()) : -1L);
      }
    }
    System.setProperty("kirim.cluster.interface", System.getProperty("kirim.cluster.interface", host));
    System.setProperty("kirim.cluster.members", System.getProperty("kirim.cluster.members", host));
    // The same defaults the kirim launchers set (port, cluster name, the bundled Hazelcast config).
    dev.kirim.cluster.ClusterProperties.apply();

    long start = System.currentTimeMillis();
    PrintWriter events = new PrintWriter(Files.newBufferedWriter(out, StandardCharsets.UTF_8), true);
    // server -> name -> sizes seen (one entry per event)
    Map<String, Map<String, List<Long>>> seen = new TreeMap<>();
    List<String> problems = new ArrayList<>();

    VertxOptions options = new VertxOptions().setEventBusOptions(new EventBusOptions().setHost(host));
    // --conf '{"cluster": {"tls": {...}}}': the members' event bus is on mutual TLS, and so must this node's be.
    dev.kirim.cluster.ClusterSecret secret = null;
    if (opt.containsKey("conf")) {
      JsonObject conf = new JsonObject(opt.get("conf"));
      dev.kirim.cluster.ClusterTls.apply(conf, options);
      JsonObject cluster = conf.getJsonObject("cluster", new JsonObject());
      secret = dev.kirim.cluster.ClusterSecret.resolve(cluster.getString("secret"), name -> null, warning -> { });
    }
    dev.kirim.cluster.ClusterSecret eventSecret = secret;
    Vertx.builder().with(options).withClusterManager(new HazelcastClusterManager()).buildClustered()
      .onFailure(e -> {
        say("FAIL cannot join the cluster: " + e);
        System.exit(3);
      })
      .onSuccess(vertx -> {
        boolean[] decided = {false};
        Runnable verdict = () -> {
          if (decided[0]) {
            return;
          }
          decided[0] = true;
          List<String> bad = check(seen, expected, servers, problems);
          if (bad.isEmpty()) {
            say("PASS " + seen.size() + " server(s) x " + expected.size() + " file(s): one event each"
              + (eventSecret == null ? "" : ", every one signed with the cluster secret"));
          } else {
            bad.forEach(b -> say("FAIL " + b));
          }
          events.close();
          vertx.setTimer(5000, t -> System.exit(bad.isEmpty() ? 0 : 1));
          vertx.close().onComplete(x -> System.exit(bad.isEmpty() ? 0 : 1));
        };
        vertx.eventBus().<Object>consumer(RECEIVED, msg -> {
          JsonObject event;
          try {
            event = msg.body() instanceof JsonObject j ? j : new JsonObject(String.valueOf(msg.body()));
          } catch (RuntimeException e) {
            problems.add("not a JSON event: " + msg.body());
            return;
          }
          if (eventSecret != null) {
            try {
              dev.kirim.cluster.ReceivedEvent.verified(msg, eventSecret);
            } catch (dev.kirim.cluster.ClusterSecret.SignatureException e) {
              problems.add("event not signed by a holder of the cluster secret (" + e.getMessage() + "): " + event.encode());
            }
          }
          events.println(event.encode());
          String server = String.valueOf(event.getValue("server"));
          String name = String.valueOf(event.getValue("name"));
          for (String key : List.of("name", "storedAs", "bytes", "checksum", "server", "client", "storedAt")) {
            if (event.getValue(key) == null) {
              problems.add("event without '" + key + "': " + event.encode());
            }
          }
          long bytes = event.getValue("bytes") instanceof Number n ? n.longValue() : -1L;
          seen.computeIfAbsent(server, s -> new TreeMap<>()).computeIfAbsent(name, n -> new ArrayList<>()).add(bytes);
          say("EVENT " + server + " " + name);
          if (check(seen, expected, servers, problems).isEmpty()) {
            // all there: wait a little for duplicates, then decide
            vertx.setTimer(1500, t -> verdict.run());
          }
        }).completion()
          .onFailure(e -> {
            say("FAIL cannot register on " + RECEIVED + ": " + e);
            System.exit(3);
          })
          .onSuccess(v -> {
            say("READY " + (System.currentTimeMillis() - start));
            String[] last = {""};
            vertx.setPeriodic(0, 200, id -> vertx.sharedData().<String, Object>getAsyncMap(REGISTRY)
              .compose(map -> map.keys())
              .onSuccess(keys -> {
                String ids = String.join(",", new TreeSet<>(keys));
                if (!ids.equals(last[0])) {
                  last[0] = ids;
                  say("REGISTRY " + keys.size() + " " + (System.currentTimeMillis() - start) + " " + ids);
                }
              }));
            vertx.setTimer(timeoutMs, t -> {
              say("FAIL timeout after " + timeoutMs / 1000 + " s");
              verdict.run();
            });
          });
      });
  }

  static List<String> check(Map<String, Map<String, List<Long>>> seen, Map<String, Long> expected, int servers,
                            List<String> problems) {
    List<String> bad = new ArrayList<>(problems);
    if (seen.size() != servers) {
      bad.add("events from " + seen.size() + " server(s) " + seen.keySet() + ", expected " + servers);
    }
    for (Map.Entry<String, Map<String, List<Long>>> e : seen.entrySet()) {
      Set<String> missing = new TreeSet<>(expected.keySet());
      missing.removeAll(e.getValue().keySet());
      if (!missing.isEmpty()) {
        bad.add(e.getKey() + ": no event for " + missing);
      }
      for (Map.Entry<String, List<Long>> n : e.getValue().entrySet()) {
        Long size = expected.get(n.getKey());
        if (size == null) {
          bad.add(e.getKey() + ": unexpected event for " + n.getKey());
        } else if (n.getValue().size() != 1) {
          bad.add(e.getKey() + ": " + n.getValue().size() + " events for " + n.getKey());
        } else if (size >= 0 && n.getValue().get(0).longValue() != size.longValue()) {
          bad.add(e.getKey() + ": " + n.getKey() + " has bytes=" + n.getValue().get(0) + ", expected " + size);
        }
      }
    }
    return bad;
  }

  static synchronized void say(String line) {
    System.out.println("OBSERVER " + line);
    System.out.flush();
  }
}
