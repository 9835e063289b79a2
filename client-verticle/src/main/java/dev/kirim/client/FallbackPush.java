package dev.kirim.client;

import dev.kirim.protocol.Printable;
import io.vertx.core.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * {@code cluster:any}: pushes to the server chosen first and, when it is full ({@code no_space}), busy or cannot
 * be reached, moves the files it could not take to the next server of the list instead of retrying the same one.
 * Only the last server retries as any target does. Each server that took files gets its own report; one that
 * took none is left out of the report (the log says why the files moved on).
 */
final class FallbackPush {

  private static final Logger log = LoggerFactory.getLogger(FallbackPush.class);

  private final BiFunction<Target, List<LocalFile>, TargetPush> create;
  private final Function<TargetPush, Future<TargetReport>> start;

  /**
   * @param create a push of the given files to a target
   * @param start  runs a push, as the client runs any (so that an interruption reaches it)
   */
  FallbackPush(BiFunction<Target, List<LocalFile>, TargetPush> create,
               Function<TargetPush, Future<TargetReport>> start) {
    this.create = create;
    this.start = start;
  }

  /** @return the reports of the servers that took files, in the order tried */
  Future<List<TargetReport>> run(Target first, List<Target> next, List<LocalFile> files) {
    return run(first, next, files, new ArrayList<>());
  }

  private Future<List<TargetReport>> run(Target target, List<Target> next, List<LocalFile> files,
                                         List<TargetReport> reports) {
    TargetPush push = create.apply(target, files);
    if (!next.isEmpty()) {
      push.handOffToNext();
    }
    return start.apply(push).compose(report -> {
      if (!report.results().isEmpty()) {
        reports.add(report);
      }
      List<TargetPush.HandedOff> handed = push.handedOff();
      if (handed.isEmpty()) {
        return Future.succeededFuture(reports);
      }
      Target then = next.get(0);
      log.warn("{} file(s) go to {} instead of {}: {}", handed.size(), then, target,
        Printable.escape(handed.get(0).reason()));
      List<LocalFile> left = handed.stream().map(TargetPush.HandedOff::file).toList();
      return run(then, next.subList(1, next.size()), left, reports);
    });
  }
}
