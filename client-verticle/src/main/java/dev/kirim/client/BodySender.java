package dev.kirim.client;

import dev.kirim.protocol.ChecksumAlgorithm;
import dev.kirim.protocol.Message;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.AsyncFile;
import io.vertx.core.net.NetSocket;

/**
 * Streams one accepted file: the {@code data} line, the bytes from the server's offset on, then the
 * {@code commit} with the checksum of the whole file. The file is read exactly once: bytes before the
 * offset (a resume) only feed the checksum. Socket backpressure pauses the file.
 */
final class BodySender {

  private final NetSocket socket;
  private final FileTask task;
  private final long id;
  private final ChecksumAlgorithm.Checksum checksum;
  private final Promise<Void> finished = Promise.promise();
  private long position;

  BodySender(NetSocket socket, FileTask task, long id, ChecksumAlgorithm algorithm) {
    this.socket = socket;
    this.task = task;
    this.id = id;
    this.checksum = algorithm.start();
  }

  /**
   * @return completes once the commit is written; fails when the local file could not be read as offered
   *   (the connection is then unusable: the server still expects bytes)
   */
  Future<Void> send(int chunkBytes) {
    socket.write(new Message.Data(id, task.offset, task.size - task.offset).toBuffer());
    if (task.size == 0) {
      commit();
      return finished.future();
    }
    AsyncFile file = task.handle;
    file.setReadPos(0).setReadLength(task.size).setReadBufferSize(chunkBytes);
    file.exceptionHandler(e -> fail("unreadable", "cannot read " + task.file.path() + ": " + e.getMessage()));
    file.endHandler(v -> handleEnd());
    file.handler(this::handleChunk);
    return finished.future();
  }

  private void handleChunk(Buffer chunk) {
    checksum.update(chunk.getBytes());
    long end = position + chunk.length();
    if (end > task.offset) {
      socket.write(position >= task.offset ? chunk : chunk.slice((int) (task.offset - position), chunk.length()));
    }
    position = end;
    if (socket.writeQueueFull()) {
      task.handle.pause();
      socket.drainHandler(v -> {
        if (task.handle != null) {
          task.handle.resume();
        }
      });
    }
  }

  private void handleEnd() {
    if (position != task.size) {
      fail("file_changed", task.file.path() + " shrank to " + position + " bytes while being sent (offered "
        + task.size + ")");
      return;
    }
    commit();
  }

  private void commit() {
    socket.write(new Message.Commit(id, checksum.value()).toBuffer());
    task.closeHandle();
    finished.tryComplete();
  }

  private void fail(String code, String message) {
    task.localErrorCode = code;
    task.localErrorMessage = message;
    finished.tryFail(message);
  }
}
