package dev.kirim.launch;

/** What the build stamped into the jar. */
public final class BuildInfo {

  private BuildInfo() {
  }

  /** @return the kirim version from the jar manifest, {@code "dev"} when run from classes (tests, IDE) */
  public static String version() {
    String version = BuildInfo.class.getPackage().getImplementationVersion();
    return version == null ? "dev" : version;
  }
}
