package bench;

import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PfxOptions;
import io.vertx.core.shareddata.AsyncMap;
import io.vertx.core.spi.VertxServiceProvider;
import io.vertx.core.spi.cluster.ClusterManager;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One clustered Vert.x node, engine-agnostic: the cluster manager on the class path (ServiceLoader) is used with its own
 * configuration (system properties vertx.hazelcast.config, vertx.infinispan.config / vertx.jgroups.config).
 *
 * <pre>
 *   java -jar node.jar --name n1 [--expect 3] [--settle-ms 5000] [--role member|rogue|probe]
 * </pre>
 *
 * Prints one line per event on stdout, {@code key=value} separated by spaces, times as epoch milliseconds ({@code t=})
 * and as milliseconds since the JVM started ({@code sinceJvm=}):
 * <ul>
 *   <li>{@code joined} when the clustered Vert.x is up, {@code consumer} when its consumer on {@code bench.ping} is
 *   registered cluster-wide;</li>
 *   <li>{@code members n=K} whenever the cluster manager's node list changes size (polled every 20 ms: Vert.x owns the
 *   cluster manager's single node listener), so {@code n=expect} is "sees every member" and a smaller n after a
 *   kill -9 is "noticed the loss";</li>
 *   <li>{@code mem VmHWM_kB= VmRSS_kB=} read from /proc/self/status {@code --settle-ms} after all expected members
 *   were seen;</li>
 *   <li>role {@code member}: puts a registry-like record into the cluster map {@code kirim.servers} (key = name);</li>
 *   <li>role {@code probe}: a member that also sends a request to {@code bench.ping} every 200 ms and prints
 *   {@code probe ok= fail=} every second (the event bus hands requests round-robin to the registered consumers);</li>
 *   <li>role {@code rogue}: a node started without the secret: once up it prints what it sees and tries
 *   ({@code rogue step=... ok=true|false}): list members, read {@code kirim.servers}, overwrite and delete another
 *   node's record, register a consumer on {@code bench.ping}, send a request there.</li>
 * </ul>
 * With {@code -Dbench.eb.keystore=FILE.p12 -Dbench.eb.password=PW} the event bus runs TLS with client auth required,
 * the store serving as key and trust store (kirim's {@code cluster.tls}).
 */
public final class Node {
  private static final String PING = "bench.ping";
  private static final String MAP = "kirim.servers";

  private static final long JVM_START = ManagementFactory.getRuntimeMXBean().getStartTime();

  private Node() {
  }

  static synchronized void out(String line) {
    long now = System.currentTimeMillis();
    System.out.println(line + " t=" + now + " sinceJvm=" + (now - JVM_START));
    System.out.flush();
  }

  public static void main(String[] args) throws Exception {
    String name = "node";
    int expect = 1;
    long settleMs = 5000;
    String role = "member";
    for (int i = 0; i < args.length; i += 2) {
      switch (args[i]) {
        case "--name" -> name = args[i + 1];
        case "--expect" -> expect = Integer.parseInt(args[i + 1]);
        case "--settle-ms" -> settleMs = Long.parseLong(args[i + 1]);
        case "--role" -> role = args[i + 1];
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    out("start name=" + name + " role=" + role + " jvmStart=" + JVM_START);
    ClusterManager cm = ServiceLoader.load(VertxServiceProvider.class).stream()
        .map(ServiceLoader.Provider::get).filter(ClusterManager.class::isInstance).map(ClusterManager.class::cast)
        .findFirst().orElseThrow(() -> new IllegalStateException("no ClusterManager on the class path"));

    VertxOptions options = new VertxOptions();
    EventBusOptions eb = options.getEventBusOptions().setHost("127.0.0.1").setPort(0);
    String keystore = System.getProperty("bench.eb.keystore");
    if (keystore != null && !keystore.isEmpty()) {
      String pw = System.getProperty("bench.eb.password", "changeit");
      PfxOptions store = new PfxOptions().setPath(keystore).setPassword(pw);
      eb.setSsl(true).setClientAuth(ClientAuth.REQUIRED).setKeyCertOptions(store).setTrustOptions(store);
    }

    Vertx vertx;
    try {
      vertx = Vertx.builder().with(options).withClusterManager(cm).buildClustered()
          .toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
    } catch (Exception e) {
      out("failed step=join error=" + oneLine(e));
      System.exit(3);
      return;
    }
    out("joined engine=" + cm.getClass().getSimpleName() + " nodeId=" + cm.getNodeId() + " members=" + cm.getNodes().size());

    String self = name;
    vertx.eventBus().<String>consumer(PING, m -> m.reply(self)).completion()
        .toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    out("consumer address=" + PING);

    if (!role.equals("rogue")) {
      AsyncMap<String, String> map = await(vertx.sharedData().<String, String>getAsyncMap(MAP));
      String record = new JsonObject().put("serverId", name).put("host", "127.0.0.1").put("port", 25563)
          .put("freeBytes", 123_456_789_000L).put("nodeId", cm.getNodeId()).encode();
      await(map.put(name, record));
      out("registered map=" + MAP);
    }

    // Membership: poll the cluster manager's node list.
    int expected = expect;
    long settle = settleMs;
    AtomicInteger last = new AtomicInteger(-1);
    AtomicReference<Boolean> memDone = new AtomicReference<>(false);
    vertx.setPeriodic(20, id -> {
      List<String> nodes = cm.getNodes();
      int n = nodes.size();
      if (last.getAndSet(n) != n) {
        out("members n=" + n);
        if (n >= expected && !memDone.getAndSet(true)) {
          vertx.setTimer(settle, t -> out("mem " + memory()));
        }
      }
    });

    if (role.equals("probe")) {
      AtomicInteger ok = new AtomicInteger();
      AtomicInteger fail = new AtomicInteger();
      AtomicReference<String> lastErr = new AtomicReference<>("-");
      DeliveryOptions timeout = new DeliveryOptions().setSendTimeout(2000);
      vertx.setPeriodic(200, id -> vertx.eventBus().<String>request(PING, "ping", timeout).onComplete(ar -> {
        if (ar.succeeded()) {
          ok.incrementAndGet();
        } else {
          fail.incrementAndGet();
          lastErr.set(oneLine(ar.cause()));
        }
      }));
      vertx.setPeriodic(1000, id -> out("probe ok=" + ok.get() + " fail=" + fail.get() + " lastErr=" + lastErr.get()));
    }

    if (role.equals("rogue")) {
      rogue(vertx, cm, name);
    }
  }

  private static void rogue(Vertx vertx, ClusterManager cm, String name) {
    out("rogue step=members ok=true n=" + cm.getNodes().size() + " nodes=" + cm.getNodes());
    try {
      AsyncMap<String, String> map = await(vertx.sharedData().<String, String>getAsyncMap(MAP));
      Map<String, String> entries = await(map.entries());
      out("rogue step=read ok=true entries=" + entries.size()
          + (entries.isEmpty() ? "" : " first=" + entries.entrySet().iterator().next()));
      String victim = entries.keySet().stream().sorted().findFirst().orElse(null);
      if (victim != null) {
        await(map.put(victim, "{\"serverId\":\"" + victim + "\",\"host\":\"203.0.113.66\",\"port\":1,\"freeBytes\":0}"));
        out("rogue step=overwrite ok=" + await(map.get(victim)).contains("203.0.113.66") + " key=" + victim);
        String other = entries.keySet().stream().sorted().skip(1).findFirst().orElse(victim);
        await(map.remove(other));
        out("rogue step=delete ok=" + (await(map.get(other)) == null) + " key=" + other);
      } else {
        out("rogue step=overwrite ok=false reason=no-entries-visible");
        out("rogue step=delete ok=false reason=no-entries-visible");
      }
    } catch (Exception e) {
      out("rogue step=map ok=false error=" + oneLine(e));
    }
    vertx.eventBus().<String>request(PING, "ping from " + name, new DeliveryOptions().setSendTimeout(3000))
        .onComplete(ar -> out("rogue step=request ok=" + ar.succeeded() + " "
            + (ar.succeeded() ? "replyFrom=" + ar.result().body() : "error=" + oneLine(ar.cause()))));
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static String oneLine(Throwable e) {
    Throwable c = e;
    while (c.getCause() != null && c.getCause() != c) {
      c = c.getCause();
    }
    return (c.getClass().getSimpleName() + ":" + c.getMessage()).replaceAll("\\s+", "_");
  }

  static String memory() {
    try {
      StringBuilder sb = new StringBuilder();
      for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (l.startsWith("VmHWM:") || l.startsWith("VmRSS:")) {
          String[] p = l.split("\\s+");
          sb.append(p[0].replace(":", "")).append("_kB=").append(p[1]).append(' ');
        }
      }
      return sb.toString().trim();
    } catch (Exception e) {
      return "error=" + oneLine(e);
    }
  }
}
