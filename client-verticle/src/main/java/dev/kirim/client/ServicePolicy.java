package dev.kirim.client;

import dev.kirim.cluster.KirimCluster;
import dev.kirim.config.ConfigException;
import dev.kirim.config.ConfigReader;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What a push service lets its jobs do, from the {@code service} key: {@code true} (the defaults) or
 * {@code {"allowedRoots": [...], "allowedTargets": [...]}}. A job arrives over the event bus, so it is a
 * request, not a command: it may read only under {@code allowedRoots} (default: the service's {@code baseDir})
 * and push only to {@code allowedTargets} (default: {@code cluster:*} and the targets in the service's own
 * configuration). An entry of {@code allowedTargets} is {@code host:port} (the port defaults as in
 * {@code targets}), {@code cluster:all}, {@code cluster:any}, {@code cluster:*} (both), or {@code *} (any target:
 * an operator's explicit choice).
 *
 * @param allowedRoots   absolute directories a job's files must be under (their real paths, links followed)
 * @param allowedTargets what a job's {@code targets} entries must match
 * @param maxJobs        how many jobs run at once; one more is refused ({@code busy}), so a sender in a loop cannot
 *                       pile up pushes, connections and open files without bound
 */
record ServicePolicy(List<Path> allowedRoots, List<String> allowedTargets, int maxJobs) {

  static final int DEFAULT_MAX_JOBS = 4;

  static final String KEY = "service";
  private static final Set<String> KEYS = Set.of("allowedRoots", "allowedTargets", "maxJobs");
  private static final String ANY_TARGET = "*";
  private static final String ANY_CLUSTER = "cluster:*";

  ServicePolicy {
    allowedRoots = List.copyOf(allowedRoots);
    allowedTargets = List.copyOf(allowedTargets);
  }

  /**
   * @param value the {@code service} key's value
   * @return whether it turns the service on: {@code true} or an object
   * @throws ConfigException when it is neither a boolean nor an object
   */
  static boolean isService(Object value) {
    if (value == null || value instanceof Boolean || value instanceof JsonObject) {
      return Boolean.TRUE.equals(value) || value instanceof JsonObject;
    }
    throw ConfigReader.of(new JsonObject().put(KEY, value)).bad(KEY, value,
      "true, false, or {\"allowedRoots\": [...], \"allowedTargets\": [...], \"maxJobs\": N}");
  }

  /**
   * @param value    the {@code service} key's value
   * @param defaults the service's own job keys: {@code baseDir} and {@code targets} give the defaults
   * @throws ConfigException naming the bad key
   */
  static ServicePolicy parse(Object value, PushJob defaults) {
    ConfigReader service = ConfigReader.of(new JsonObject().put(KEY, value instanceof JsonObject ? value : null))
      .object(KEY).rejectUnknownKeys(KEYS);
    List<Path> roots = new ArrayList<>();
    for (String root : service.strings("allowedRoots")) {
      roots.add(ConfigReader.toPath(ServicePolicy.KEY + ".allowedRoots", root).toAbsolutePath().normalize());
    }
    if (!service.has("allowedRoots")) {
      roots.add(defaults.getBaseDir());
    } else if (roots.isEmpty()) {
      throw new ConfigException("config key 'service.allowedRoots' is empty: list the directories the service's jobs "
        + "may read under (without the key: its baseDir)");
    }
    Set<String> targets = new LinkedHashSet<>();
    if (service.has("allowedTargets")) {
      List<String> specs = service.strings("allowedTargets");
      if (specs.isEmpty()) {
        throw new ConfigException("config key 'service.allowedTargets' is empty: list the targets the service's jobs "
          + "may push to (without the key: cluster:* and the service's own targets)");
      }
      for (int i = 0; i < specs.size(); i++) {
        targets.add(checkTarget(specs.get(i), "service.allowedTargets[" + i + "]"));
      }
    } else {
      targets.add(ANY_CLUSTER);
      defaults.getTargets().forEach(target -> targets.add(target.toString()));
      targets.addAll(defaults.getClusterTargets());
    }
    return new ServicePolicy(roots, List.copyOf(targets), service.integer("maxJobs", DEFAULT_MAX_JOBS, 1, 1000));
  }

  private static String checkTarget(String spec, String key) {
    String entry = spec == null ? "" : spec.strip();
    if (entry.equals(ANY_TARGET) || entry.equals(ANY_CLUSTER) || entry.equals(KirimCluster.TARGET_ALL)
      || entry.equals(KirimCluster.TARGET_ANY)) {
      return entry;
    }
    if (entry.startsWith("cluster:")) {
      throw new ConfigException("config key '" + key + "' is \"" + spec + "\", expected " + KirimCluster.TARGET_ALL
        + ", " + KirimCluster.TARGET_ANY + ", " + ANY_CLUSTER + ", \"*\" or \"host:port\"");
    }
    return Target.parse(entry, key).toString();
  }

  /**
   * Checks what can be checked before the files are looked at — the targets, and that {@code baseDir} and each
   * plain {@code files} entry are under a root — and hands the roots to the job so that every file selected is
   * checked too, by its real path ({@link FileSelector}).
   *
   * @return {@code job}, confined to the roots
   * @throws ConfigException saying what the job asked for that the service does not allow, and where to allow it
   */
  PushJob confine(PushJob job) {
    for (Target target : job.getTargets()) {
      if (!allowsTarget(target.toString())) {
        throw refusedTarget(target.toString());
      }
    }
    for (String clusterTarget : job.getClusterTargets()) {
      if (!allowsTarget(clusterTarget)) {
        throw refusedTarget(clusterTarget);
      }
    }
    if (!isUnderARoot(job.getBaseDir())) {
      throw new ConfigException("config key 'baseDir' is " + job.getBaseDir() + ", outside the service's allowed "
        + "roots " + allowedRoots + " (service.allowedRoots in the service's configuration)");
    }
    for (String file : job.getFiles()) {
      Path fixedPart = job.getBaseDir().resolve(FileSelector.fixedPrefix(file)).normalize();
      if (!isUnderARoot(fixedPart)) {
        throw new ConfigException("config key 'files' names '" + file + "', outside the service's allowed roots "
          + allowedRoots + " (service.allowedRoots in the service's configuration)");
      }
    }
    return job.setAllowedRoots(allowedRoots);
  }

  private boolean allowsTarget(String target) {
    if (allowedTargets.contains(ANY_TARGET) || allowedTargets.contains(target)) {
      return true;
    }
    return target.startsWith("cluster:") && allowedTargets.contains(ANY_CLUSTER);
  }

  private ConfigException refusedTarget(String target) {
    return new ConfigException("config key 'targets' names " + target + ", which the service does not push to: "
      + "it allows " + allowedTargets + " (service.allowedTargets in the service's configuration)");
  }

  private boolean isUnderARoot(Path path) {
    return allowedRoots.stream().anyMatch(path::startsWith);
  }

  JsonObject toJson() {
    return new JsonObject()
      .put("allowedRoots", new JsonArray(allowedRoots.stream().map(Path::toString).toList()))
      .put("allowedTargets", new JsonArray(allowedTargets));
  }
}
