package dev.kirim.client;

import dev.kirim.protocol.Printable;
import io.vertx.core.json.JsonObject;

import java.util.Locale;
import java.util.Map;

/**
 * What {@code deleteAfterSend} did with each local file of a push, by local path ({@link SentFileDeleter}).
 * {@link #NONE} when it was not asked for: then the report carries nothing of it.
 */
public record Deletions(boolean requested, Map<String, Deletion> byLocal) {

  public static final Deletions NONE = new Deletions(false, Map.of());

  /** What became of one local file. */
  public enum Outcome {
    /** Delivered to every target, then deleted. */
    DELETED,
    /** Not delivered to every target (failed, skipped as a link, or a server copy that differs): kept. */
    KEPT,
    /** Delivered, but it changed since (or could not be shown to be what the targets hold): kept. */
    CHANGED,
    /** Delivered everywhere, but deleting it failed. */
    FAILED
  }

  /** @param message why a delivered file was kept or could not be deleted; null otherwise */
  public record Deletion(Outcome outcome, String message) {
  }

  public Deletions {
    byLocal = Map.copyOf(byLocal);
  }

  public long count(Outcome outcome) {
    return byLocal.values().stream().filter(d -> d.outcome() == outcome).count();
  }

  /** @return {@link PushReport#EXIT_FAILED} when a delivered file could not be deleted, else {@link PushReport#EXIT_OK} */
  public int exitCode() {
    return count(Outcome.FAILED) == 0 ? PushReport.EXIT_OK : PushReport.EXIT_FAILED;
  }

  /** @return {@code result}'s JSON with {@code deleted} (and why not, when that is worth knowing) when asked for */
  public JsonObject toJson(FileResult result) {
    JsonObject json = result.toJson();
    Deletion deletion = byLocal.get(result.local());
    if (!requested || deletion == null) {
      return json;
    }
    json.put("deleted", deletion.outcome() == Outcome.DELETED);
    if (deletion.outcome() == Outcome.FAILED) {
      json.put("deleteError", deletion.message());
    } else if (deletion.outcome() == Outcome.CHANGED) {
      json.put("deleteNote", deletion.message());
    }
    return json;
  }

  /** @return {@code report} with the totals under {@code deletions}, when asked for */
  public JsonObject addTo(JsonObject report) {
    if (requested) {
      report.put("deletions", new JsonObject()
        .put("deleted", count(Outcome.DELETED))
        .put("kept", count(Outcome.KEPT) + count(Outcome.CHANGED))
        .put("failed", count(Outcome.FAILED)));
    }
    return report;
  }

  /** @return a line per file not deleted for a reason worth reading, and one line of totals; "" when not asked for */
  public String summary() {
    if (!requested) {
      return "";
    }
    StringBuilder out = new StringBuilder();
    byLocal.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(entry -> {
      Deletion deletion = entry.getValue();
      if (deletion.outcome() == Outcome.FAILED || deletion.outcome() == Outcome.CHANGED) {
        out.append(String.format("  %s %s: %s%n", deletion.outcome() == Outcome.FAILED ? "NOT DELETED" : "KEPT",
          Printable.escape(entry.getKey()), Printable.escape(deletion.message())));
      }
    });
    out.append(String.format(Locale.ROOT, "deleteAfterSend: %d deleted, %d kept (not delivered to every target%s)%s%n",
      count(Outcome.DELETED), count(Outcome.KEPT) + count(Outcome.CHANGED),
      count(Outcome.CHANGED) == 0 ? "" : ", or changed", count(Outcome.FAILED) == 0 ? ""
        : ", " + count(Outcome.FAILED) + " could not be deleted"));
    return out.toString();
  }
}
