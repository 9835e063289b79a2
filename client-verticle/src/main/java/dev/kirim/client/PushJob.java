package dev.kirim.client;

import dev.kirim.cluster.KirimCluster;
import dev.kirim.config.ConfigException;
import dev.kirim.config.ConfigReader;
import dev.kirim.protocol.NameRules;
import dev.kirim.protocol.ProtocolException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * What one push sends where: the targets ({@code host:port}, or {@code cluster:all} / {@code cluster:any},
 * resolved when the push starts), the files (paths, directories, globs; relative ones against
 * {@code baseDir}) and the {@code remoteDir} prefix on the servers, the files left out ({@code exclude}),
 * whether symbolic links are followed ({@code followSymlinks}) and whether files are deleted once delivered
 * ({@code deleteAfterSend}). Every file goes to every target.
 */
public class PushJob {

  /** The configuration keys a job reads. */
  static final Set<String> KEYS = Set.of("targets", "files", "baseDir", "remoteDir", "exclude", "followSymlinks",
    "deleteAfterSend", ClusterExpectation.KEY);
  private static final List<String> CLUSTER_TARGETS = List.of(KirimCluster.TARGET_ALL, KirimCluster.TARGET_ANY);

  private List<Target> targets = new ArrayList<>();
  private List<String> clusterTargets = new ArrayList<>();
  private List<String> files = new ArrayList<>();
  private Path baseDir = Path.of("").toAbsolutePath();
  private String remoteDir = "";
  private List<String> exclude = new ArrayList<>();
  private boolean followSymlinks;
  private boolean deleteAfterSend;
  private ClusterExpectation cluster = ClusterExpectation.NONE;
  // Not a configuration key: a push service sets it from its own configuration (ServicePolicy).
  private List<Path> allowedRoots = List.of();

  public PushJob() {
  }

  public PushJob(PushJob other) {
    this.targets = new ArrayList<>(other.targets);
    this.clusterTargets = new ArrayList<>(other.clusterTargets);
    this.files = new ArrayList<>(other.files);
    this.baseDir = other.baseDir;
    this.remoteDir = other.remoteDir;
    this.exclude = new ArrayList<>(other.exclude);
    this.followSymlinks = other.followSymlinks;
    this.deleteAfterSend = other.deleteAfterSend;
    this.cluster = other.cluster;
    this.allowedRoots = other.allowedRoots;
  }

  /**
   * Reads {@link #KEYS} from a configuration object; other keys are left to whoever reads them. Targets
   * and files may be missing here (a service's defaults); {@link #validate()} requires them.
   *
   * @throws ConfigException naming the first bad key
   */
  public PushJob(JsonObject json) {
    ConfigReader config = ConfigReader.of(json);
    parseTargets(config.strings("targets"));
    files = config.strings("files");
    // Checked now: a path the file system cannot take would otherwise fail on a worker, where a push service's
    // job would get no reply at all.
    files.forEach(file -> ConfigReader.toPath("files", file));
    baseDir = ConfigReader.toPath("baseDir", config.string("baseDir", "")).toAbsolutePath().normalize();
    remoteDir = parseRemoteDir(config.text("remoteDir", ""));
    exclude = config.strings("exclude");
    Exclusions.of(exclude);
    followSymlinks = config.bool("followSymlinks", false);
    deleteAfterSend = config.bool("deleteAfterSend", false);
    cluster = ClusterExpectation.parse(config);
  }

  /** {@code host:port} entries become {@link Target}s; {@code cluster:all|any} are resolved when a push starts. */
  private void parseTargets(List<String> specs) {
    for (int i = 0; i < specs.size(); i++) {
      String spec = specs.get(i).strip();
      if (spec.startsWith("cluster:")) {
        clusterTargets.add(checkClusterTarget(spec, "targets[" + i + "]"));
      } else {
        targets.add(Target.parse(spec, "targets[" + i + "]"));
      }
    }
  }

  private static String checkClusterTarget(String spec, String key) {
    if (!CLUSTER_TARGETS.contains(spec)) {
      throw new ConfigException("config key '" + key + "' is \"" + spec + "\", expected "
        + String.join(" or ", CLUSTER_TARGETS) + " (or \"host:port\")");
    }
    return spec;
  }

  /** @return the prefix without leading or trailing {@code /}, checked against the name rules */
  private static String parseRemoteDir(String dir) {
    String trimmed = dir.replaceAll("^/+|/+$", "");
    if (trimmed.isEmpty()) {
      return "";
    }
    try {
      return NameRules.check(trimmed);
    } catch (ProtocolException e) {
      throw new ConfigException("config key 'remoteDir' is \"" + dir + "\": " + e.getMessage());
    }
  }

  /**
   * Checks the job, however it was made; {@link KirimClient#push} calls it.
   *
   * @return this
   * @throws ConfigException naming what is missing or wrong by its config key
   */
  public PushJob validate() {
    if (targets.isEmpty() && clusterTargets.isEmpty()) {
      throw new ConfigException("config key 'targets' is missing or empty: list the servers to push to, "
        + "e.g. \"targets\": [\"127.0.0.1:25563\"] or [\"" + KirimCluster.TARGET_ALL + "\"]");
    }
    clusterTargets.forEach(clusterTarget -> checkClusterTarget(clusterTarget, "targets"));
    if (files.isEmpty() || files.stream().anyMatch(file -> file == null || file.isBlank())) {
      throw new ConfigException("config key 'files' is missing or empty: list files, directories or globs to push, "
        + "e.g. \"files\": [\"samples/*.txt\"]");
    }
    if (baseDir == null) {
      throw new ConfigException("config key 'baseDir' is not set, expected the directory relative files resolve against");
    }
    if (!remoteDir.equals(parseRemoteDir(remoteDir))) {
      throw new ConfigException("config key 'remoteDir' is \"" + remoteDir + "\": no leading or trailing '/'");
    }
    if (exclude == null) {
      throw new ConfigException("config key 'exclude' is not set, expected a list of patterns (may be empty)");
    }
    Exclusions.of(exclude);
    if (cluster == null) {
      throw new ConfigException("config key 'cluster' is not set (ClusterExpectation.NONE when there is none)");
    }
    if (cluster.isSet() && !clusterTargets.contains(KirimCluster.TARGET_ALL)) {
      throw new ConfigException("config key 'cluster' says how many servers " + KirimCluster.TARGET_ALL
        + " must reach, but 'targets' does not list " + KirimCluster.TARGET_ALL);
    }
    return this;
  }

  public JsonObject toJson() {
    JsonObject json = new JsonObject()
      .put("targets", new JsonArray(targetSpecs()))
      .put("files", new JsonArray(files))
      .put("baseDir", baseDir.toString())
      .put("remoteDir", remoteDir)
      .put("exclude", new JsonArray(exclude))
      .put("followSymlinks", followSymlinks)
      .put("deleteAfterSend", deleteAfterSend);
    if (cluster.isSet()) {
      json.put(ClusterExpectation.KEY, cluster.toJson());
    }
    return json;
  }

  /** @return {@code targets} as configured: {@code host:port} and {@code cluster:} entries */
  public List<String> targetSpecs() {
    return Stream.concat(targets.stream().map(Target::toString), clusterTargets.stream()).toList();
  }

  public List<Target> getTargets() {
    return targets;
  }

  public PushJob setTargets(List<Target> targets) {
    this.targets = targets;
    return this;
  }

  /** @return the {@code cluster:all} / {@code cluster:any} entries of {@code targets}, resolved when a push starts */
  public List<String> getClusterTargets() {
    return clusterTargets;
  }

  public PushJob setClusterTargets(List<String> clusterTargets) {
    this.clusterTargets = clusterTargets;
    return this;
  }

  public List<String> getFiles() {
    return files;
  }

  public PushJob setFiles(List<String> files) {
    this.files = files;
    return this;
  }

  /** @return the directory relative {@code files} resolve against (absolute) */
  public Path getBaseDir() {
    return baseDir;
  }

  public PushJob setBaseDir(Path baseDir) {
    this.baseDir = baseDir.toAbsolutePath().normalize();
    return this;
  }

  /** @return the prefix put before every remote name, without leading or trailing {@code /}; may be empty */
  public String getRemoteDir() {
    return remoteDir;
  }

  public PushJob setRemoteDir(String remoteDir) {
    this.remoteDir = remoteDir;
    return this;
  }

  /** @return patterns of files the selection leaves out (see {@link Exclusions}); may be empty */
  public List<String> getExclude() {
    return exclude;
  }

  public PushJob setExclude(List<String> exclude) {
    this.exclude = exclude;
    return this;
  }

  /** @return whether symbolic links met in the selection are followed (see {@link SymlinkPolicy}); false by default */
  public boolean isFollowSymlinks() {
    return followSymlinks;
  }

  public PushJob setFollowSymlinks(boolean followSymlinks) {
    this.followSymlinks = followSymlinks;
    return this;
  }

  /**
   * @return whether a local file is deleted once every target has it (see {@link SentFileDeleter}); false by
   *   default
   */
  public boolean isDeleteAfterSend() {
    return deleteAfterSend;
  }

  public PushJob setDeleteAfterSend(boolean deleteAfterSend) {
    this.deleteAfterSend = deleteAfterSend;
    return this;
  }

  /** @return what {@code cluster:all} must find ({@code cluster} key); {@link ClusterExpectation#NONE} when not set */
  public ClusterExpectation getCluster() {
    return cluster;
  }

  public PushJob setCluster(ClusterExpectation cluster) {
    this.cluster = cluster;
    return this;
  }

  /**
   * @return the directories the push may read under, by the files' real paths ({@link AllowedRoots}); empty (the
   *   default) for anywhere
   */
  public List<Path> getAllowedRoots() {
    return allowedRoots;
  }

  public PushJob setAllowedRoots(List<Path> allowedRoots) {
    this.allowedRoots = allowedRoots.stream().map(root -> root.toAbsolutePath().normalize()).toList();
    return this;
  }
}
