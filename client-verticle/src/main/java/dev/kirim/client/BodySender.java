package dev.kirim.client;

import dev.kirim.protocol.ChecksumAlgorithm;
import dev.kirim.protocol.Message;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.AsyncFile;
import io.vertx.core.file.OpenOptions;
import io.vertx.core.net.NetSocket;

/**
 * Sends one accepted file: the {@code data} line, the bytes from the server's offset on, then the
 * {@code commit} with the checksum of the whole file. The file is read exactly once: a small one was read
 * whole when it was looked at and goes out from memory; when a larger one's checksum is already known (an earlier target read it) the bytes go out with zero-copy {@code sendFile}; otherwise
 * they are streamed from the start, bytes before the offset (a resume) only feeding the checksum, with
 * socket backpressure pausing the file.
 */
final class BodySender {

  private final Vertx vertx;
  private final NetSocket socket;
  private final FileTask task;
  private final long id;
  private final LocalFacts localFacts;
  private final Promise<Void> finished = Promise.promise();
  private ChecksumAlgorithm.Checksum checksum;
  private AsyncFile file;
  private long position;

  BodySender(Vertx vertx, NetSocket socket, FileTask task, long id, LocalFacts localFacts) {
    this.vertx = vertx;
    this.socket = socket;
    this.task = task;
    this.id = id;
    this.localFacts = localFacts;
  }

  /**
   * @return completes once the commit is written; fails with a {@link LocalFileException} when the file could
   *   not be sent as offered (the connection is then unusable: the server still expects bytes)
   */
  Future<Void> send(ChecksumAlgorithm algorithm, int readBufferBytes) {
    long length = task.facts.size() - task.offset;
    socket.write(new Message.Data(id, task.offset, length).toBuffer());
    Buffer content = task.facts.content();
    if (content != null) {
      socket.write(task.offset == 0 ? content : content.slice((int) task.offset, content.length()));
      task.facts = task.facts.withChecksum(task.facts.checksum());
      commit(task.facts.checksum());
      return finished.future();
    }
    if (task.facts.checksum() != null) {
      Future<Void> body = length == 0
        ? Future.succeededFuture()
        : socket.sendFile(task.file.path().toString(), task.offset, length);
      body.onSuccess(v -> commit(task.facts.checksum()))
        .onFailure(e -> fail(ClientErrorCode.FILE_CHANGED, e.getMessage()));
      return finished.future();
    }
    checksum = algorithm.start();
    if (task.facts.size() == 0) {
      commit(checksum.value());
      return finished.future();
    }
    vertx.fileSystem().open(task.file.path().toString(), new OpenOptions().setRead(true).setWrite(false))
      .onSuccess(opened -> stream(opened, readBufferBytes))
      .onFailure(e -> fail(ClientErrorCode.UNREADABLE, e.getMessage()));
    return finished.future();
  }

  private void stream(AsyncFile opened, int readBufferBytes) {
    file = opened;
    file.setReadLength(task.facts.size()).setReadBufferSize(readBufferBytes);
    file.exceptionHandler(e -> fail(ClientErrorCode.UNREADABLE, e.getMessage()));
    file.endHandler(v -> handleEnd());
    file.handler(this::handleChunk);
  }

  private void handleChunk(Buffer chunk) {
    checksum.update(chunk);
    long end = position + chunk.length();
    if (end > task.offset) {
      socket.write(position >= task.offset ? chunk : chunk.slice((int) (task.offset - position), chunk.length()));
    }
    position = end;
    if (socket.writeQueueFull()) {
      file.pause();
      socket.drainHandler(v -> file.resume());
    }
  }

  private void handleEnd() {
    file.close();
    if (position != task.facts.size()) {
      fail(ClientErrorCode.FILE_CHANGED, "it shrank to " + position + " bytes while being sent");
      return;
    }
    String value = checksum.value();
    localFacts.learned(task.file.path(), task.facts.withChecksum(value));
    commit(value);
  }

  private void commit(String value) {
    socket.write(new Message.Commit(id, value).toBuffer());
    finished.tryComplete();
  }

  private void fail(ClientErrorCode code, String reason) {
    if (file != null) {
      file.close();
    }
    finished.tryFail(new LocalFileException(code, "cannot send " + task.file.path() + " as offered ("
      + task.facts.size() + " bytes): " + reason));
  }
}
