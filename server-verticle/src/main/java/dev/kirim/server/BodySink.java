package dev.kirim.server;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;

import java.io.IOException;

/**
 * Where the body bytes of one upload go until they are published. Chosen once per upload ({@link Upload}):
 * a small body waits in memory ({@link MemoryBody}), a large one streams into its partial file
 * ({@link FileBody}).
 */
interface BodySink {

  /** Gets ready to take bytes; reading waits for this when it does not complete at once. */
  Future<Void> open();

  /**
   * Takes the next chunk. A failure to write is not thrown: it is kept ({@link #failure()}) and later
   * chunks are dropped, so that the connection reads on and the commit is answered with the error.
   *
   * @return true when the writer should pause until {@link #drainHandler}
   */
  boolean write(Buffer chunk);

  /** Called once after {@link #write} returned true and the sink can take more. */
  void drainHandler(Handler<Void> handler);

  /** @return the first write failure, or {@code null} */
  Throwable failure();

  /** All bytes taken; completes once they have reached the partial file or wait for {@link #persist}. */
  Future<Void> finish();

  /**
   * Blocking, on the worker that publishes: makes the partial file hold the whole body, has {@code metadata}
   * set it up once the bytes are in, then flushes it to disk when {@code fsync}.
   */
  void persist(boolean fsync, MetadataStep metadata) throws IOException;

  /** Sets a complete partial file's metadata (blocking); see {@link FileMetadata}. */
  @FunctionalInterface
  interface MetadataStep {
    void apply(java.nio.file.Path partial) throws IOException;
  }

  /** Stops taking bytes and lets go of what the sink holds; the partial file, if any, stays. Never fails. */
  Future<Void> abandon();

  /** @return whether what an interrupted upload left in its partial file is worth keeping for a resume */
  boolean resumable();
}
