package dev.kirim.testkit;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.net.HostAndPort;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** GET requests to a server's HTTP port (metrics, health, status) on 127.0.0.1, and reading a Prometheus scrape. */
public final class HttpGet {

  /** A response: status code and body as text. */
  public record Response(int status, String body) {
  }

  private final HttpClient client;
  private final int port;

  public HttpGet(Vertx vertx, int port) {
    // A fresh connection per request. With the pool's kept-alive connections, a GET now and then got no answer
    // at all (30 s, in ServerHttpTest after StatusPageTest in one JVM); the cause was not found, and a test asks
    // rarely enough that a connection each costs nothing.
    this.client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(false));
    this.port = port;
  }

  public Future<Response> get(String path) {
    return get(path, "127.0.0.1");
  }

  /** A GET whose {@code Host} header names {@code host}, sent to 127.0.0.1 all the same (what DNS rebinding does). */
  public Future<Response> get(String path, String host) {
    return client.request(HttpMethod.GET, port, "127.0.0.1", path)
      .compose(request -> request.authority(HostAndPort.create(host, port)).send())
      .compose(response -> response.body().map(body -> new Response(response.statusCode(), body.toString())));
  }

  /**
   * @param series a metric name with its labels as the scrape writes them, e.g.
   *               {@code kirim_files_total{result="stored"}}
   * @return its value in a Prometheus text scrape, or {@code NaN} when absent
   */
  public static double value(String scrape, String series) {
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(scrape);
    return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
  }

  public Future<Void> close() {
    return client.close();
  }
}
