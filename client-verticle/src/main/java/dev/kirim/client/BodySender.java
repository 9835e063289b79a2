package dev.kirim.client;

import dev.kirim.protocol.Message;
import io.vertx.core.Future;
import io.vertx.core.net.NetSocket;

/**
 * Sends one accepted file: the {@code data} line, the bytes from the server's offset on with zero-copy
 * {@code sendFile}, then the {@code commit} with the checksum computed beforehand by {@link LocalFacts}.
 */
final class BodySender {

  private BodySender() {
  }

  /**
   * @return completes once the commit is written; fails when the file could not be sent as offered (the
   *   connection is then unusable: the server still expects bytes)
   */
  static Future<Void> send(NetSocket socket, FileTask task, long id) {
    long length = task.facts.size() - task.offset;
    socket.write(new Message.Data(id, task.offset, length).toBuffer());
    Future<Void> body = length == 0
      ? Future.succeededFuture()
      : socket.sendFile(task.file.path().toString(), task.offset, length);
    return body
      .recover(e -> {
        task.localErrorCode = "file_changed";
        task.localErrorMessage = "cannot send " + task.file.path() + " as offered (" + task.facts.size()
          + " bytes): " + e.getMessage();
        return Future.failedFuture(task.localErrorMessage);
      })
      .map(v -> {
        socket.write(new Message.Commit(id, task.facts.checksum()).toBuffer());
        return null;
      });
  }
}
