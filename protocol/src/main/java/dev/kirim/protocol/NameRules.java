package dev.kirim.protocol;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * What a file name on the wire may be: a relative, {@code /}-separated path whose components are plain
 * names. Both sides apply these rules: the client to fail early with a clear message, the server because
 * it never trusts the client. The server additionally refuses symbolic links on the way (that needs a
 * file system, so it lives with the storage).
 */
public final class NameRules {

  /** Longest accepted name, in UTF-8 bytes (Linux's PATH_MAX is 4096 for the whole path). */
  public static final int MAX_NAME_BYTES = 1024;
  /** Longest accepted component, in UTF-8 bytes (Linux's NAME_MAX), less room for our temporary suffix. */
  public static final int MAX_COMPONENT_BYTES = 200;
  /** Suffix of the server's partial-upload files; no offered name may end with it. */
  public static final String PARTIAL_SUFFIX = ".kirim-part";

  private NameRules() {
  }

  /**
   * @param name the name as offered
   * @return its components, first to last
   * @throws ProtocolException {@link ErrorCode#BAD_NAME} saying which rule the name breaks
   */
  public static List<String> components(String name) {
    if (name == null || name.isEmpty()) {
      throw bad(name, "it is empty");
    }
    int bytes = name.getBytes(StandardCharsets.UTF_8).length;
    if (bytes > MAX_NAME_BYTES) {
      throw bad(name, "it is " + bytes + " bytes long, the limit is " + MAX_NAME_BYTES);
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        throw bad(name, "it contains the control character 0x" + Integer.toHexString(c));
      }
      if (c == '\\') {
        throw bad(name, "it contains a backslash (use / to separate directories)");
      }
      if (Character.isSurrogate(c)) {
        // A lone surrogate (JSON can escape one) has no UTF-8 form: no file can have that name.
        if (!Character.isHighSurrogate(c) || i + 1 == name.length() || !Character.isLowSurrogate(name.charAt(i + 1))) {
          throw bad(name, "it contains an unpaired UTF-16 surrogate (not valid Unicode)");
        }
        i++;
      }
    }
    if (name.startsWith("/")) {
      throw bad(name, "it is absolute (names are relative to the server's storage directory)");
    }
    List<String> components = new ArrayList<>();
    for (String component : name.split("/", -1)) {
      checkComponent(name, component);
      components.add(component);
    }
    return components;
  }

  /** @return {@code name} when it is valid */
  public static String check(String name) {
    components(name);
    return name;
  }

  private static void checkComponent(String name, String component) {
    if (component.isEmpty()) {
      throw bad(name, "it has an empty path component ('//' or a trailing '/')");
    }
    if (component.equals(".") || component.equals("..")) {
      throw bad(name, "it contains a '" + component + "' component");
    }
    if (component.endsWith(PARTIAL_SUFFIX)) {
      throw bad(name, "names ending in " + PARTIAL_SUFFIX + " are reserved for partial uploads");
    }
    int bytes = component.getBytes(StandardCharsets.UTF_8).length;
    if (bytes > MAX_COMPONENT_BYTES) {
      throw bad(name, "a component is " + bytes + " bytes long, the limit is " + MAX_COMPONENT_BYTES);
    }
  }

  private static ProtocolException bad(String name, String reason) {
    String shown = name == null ? "null" : name.length() > 80 ? name.substring(0, 80) + "…" : name;
    return new ProtocolException(ErrorCode.BAD_NAME, "bad name '" + Printable.escape(shown) + "': " + reason);
  }
}
