package dev.kirim.client;

import dev.kirim.config.ConfigException;
import dev.kirim.config.ConfigReader;
import dev.kirim.http.HttpOptions;
import io.vertx.core.json.JsonObject;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

/**
 * The client jar's configuration ({@code conf/client.json}, the verticle's {@code config()}): the connection
 * settings ({@link ClientOptions}), the job ({@link PushJob}), and what the program does around them: the
 * report file, and whether it runs as a service. A key none of them knows is an error, not a silent default.
 */
public final class ClientConfig {

  private static final Set<String> OWN_KEYS = Set.of("report", "service", "http");
  static final Set<String> KEYS = union(ClientOptions.KEYS, PushJob.KEYS, OWN_KEYS);

  private final ClientOptions options;
  private final PushJob job;
  private final Path report;
  // null: not a service.
  private final ServicePolicy service;
  // null: no HTTP port.
  private final HttpOptions http;

  /**
   * @throws dev.kirim.config.ConfigException naming the first bad, missing or unknown key
   */
  public ClientConfig(JsonObject json) {
    ConfigReader config = ConfigReader.of(json).rejectUnknownKeys(KEYS);
    boolean isService = ServicePolicy.isService(json.getValue(ServicePolicy.KEY));
    report = config.path("report", null);
    job = new PushJob(json);
    // A service takes its targets and files from each job; these are only defaults then.
    if (!isService) {
      job.validate();
    }
    service = isService ? ServicePolicy.parse(json.getValue(ServicePolicy.KEY), job) : null;
    options = new ClientOptions(json);
    http = json.getValue("http") == null ? null : new HttpOptions(config.object("http"));
    if (http != null && service == null) {
      throw new ConfigException("config key 'http' is for a client running as a service (\"service\": true): a "
        + "one-shot push has its summary and its report");
    }
  }

  /** @return the configuration as it was understood, defaults filled in: read back, it gives the same */
  public JsonObject toJson() {
    // Deep: the cluster key holds both a connection setting (its secret) and the job's expectation.
    JsonObject json = options.toJson().mergeIn(job.toJson(), true)
      .put(ServicePolicy.KEY, service == null ? (Object) false : service.toJson());
    if (report != null) {
      json.put("report", report.toString());
    }
    if (http != null) {
      json.put("http", http.toJson());
    }
    return json;
  }

  public ClientOptions options() {
    return options;
  }

  /** @return the push to run, or a service's defaults for its jobs */
  public PushJob job() {
    return job;
  }

  /** @return where to write the JSON report (relative paths resolve against the working directory), or {@code null} */
  public Path report() {
    return report;
  }

  /** @return whether the client runs as a service taking jobs on {@code kirim.push} instead of pushing once */
  public boolean isService() {
    return service != null;
  }

  /** @return what a service's jobs may do, {@code null} when not a service */
  ServicePolicy servicePolicy() {
    return service;
  }

  /** @return a service's HTTP port ({@code /metrics}, {@code /health}), {@code null} for none */
  public HttpOptions http() {
    return http;
  }

  @SafeVarargs
  private static Set<String> union(Set<String>... sets) {
    Set<String> all = new HashSet<>();
    for (Set<String> set : sets) {
      all.addAll(set);
    }
    return Set.copyOf(all);
  }
}
