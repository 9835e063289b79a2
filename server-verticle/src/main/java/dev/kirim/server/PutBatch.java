package dev.kirim.server;

import dev.kirim.protocol.ErrorCode;
import dev.kirim.protocol.Message;
import dev.kirim.protocol.ProtocolException;
import dev.kirim.server.auth.Namespace;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;

/**
 * Puts (small files sent whole in one message) that arrived together on one connection, stored in one worker
 * task: each is decided as its offer would be, verified, written and published, and with {@code fsync} each
 * directory they went into is synced once for all of them before any is answered (group commit). A burst of
 * 4 KiB files used to cost two worker hand-offs, a directory sync and four messages per file; the profile
 * showed those hand-offs and messages, not the bytes, as the server's work. Every promise of the one-file
 * path holds per put: verified before it is visible, atomic publish, the policy, durable before {@code done}.
 */
final class PutBatch {

  /** One put: the name's claim is held from before the batch runs until its answer is sent. */
  static final class Item {
    final Message.Put put;
    final Message.Offer offer;
    final Path target;
    final UploadClaims.Claim claim;
    final Buffer body;
    final ReplyQueue.Slot slot;
    final long receivedAt;
    // Set by the batch: a Stored, or the failure to answer with.
    private Stored stored;
    private Throwable failure;

    /** @param offer what {@code put} stands for ({@link Message.Put#asOffer}), made once by the receiver */
    Item(Message.Put put, Message.Offer offer, Path target, UploadClaims.Claim claim, Buffer body, ReplyQueue.Slot slot,
         long receivedAt) {
      this.put = put;
      this.offer = offer;
      this.target = target;
      this.claim = claim;
      this.body = body;
      this.slot = slot;
      this.receivedAt = receivedAt;
    }

    /** @return how the put ended, when it did not fail */
    Stored stored() {
      return stored;
    }

    /** @return why the put failed, or {@code null} */
    Throwable failure() {
      return failure;
    }
  }

  /** Worker tasks a durable batch is spread over (the worker pool has 20 threads by default). */
  static final int SYNCING_TASKS = 8;

  private final ServerContext server;

  PutBatch(ServerContext server) {
    this.server = server;
  }

  /**
   * Stores every item; each then holds its outcome. Never fails. Without fsync in one worker task; with fsync in
   * up to {@link #SYNCING_TASKS} side by side, since a file's fsync waits on the disk, not the CPU, and a disk
   * takes several at once far faster than one after another (about 1 ms each alone, 250 µs each with 16 at once
   * here).
   */
  Future<List<Item>> store(List<Item> items, Namespace namespace) {
    int tasks = server.options().isFsync() ? Math.min(SYNCING_TASKS, items.size()) : 1;
    List<Future<Void>> parts = new ArrayList<>(tasks);
    for (int part = 0; part < tasks; part++) {
      parts.add(storeInWorker(items.subList(items.size() * part / tasks, items.size() * (part + 1) / tasks),
        namespace));
    }
    return Future.join(parts).map(items).otherwise(items);
  }

  /**
   * One worker task storing {@code share}. A worker pool closing with the server refuses the task (Vert.x throws
   * rather than failing the future): every put of the share is then answered {@code busy}, not left without an
   * outcome for the connection to trip over.
   */
  private Future<Void> storeInWorker(List<Item> share, Namespace namespace) {
    Future<Void> stored;
    try {
      stored = server.vertx().executeBlocking(() -> {
        storeNow(share, namespace);
        return null;
      }, false);
    } catch (RejectedExecutionException closing) {
      stored = Future.failedFuture(new ProtocolException(ErrorCode.BUSY,
        "the server is shutting down: push again once it is back"));
    }
    return stored.onFailure(cause -> share.stream()
      .filter(item -> item.stored == null && item.failure == null)
      .forEach(item -> item.failure = cause));
  }

  private void storeNow(List<Item> items, Namespace namespace) {
    boolean fsync = server.options().isFsync();
    StorageDirectory storage = server.storage();
    // Directory → the puts published into it: with fsync, they wait for its one sync.
    Map<Path, List<Item>> published = new LinkedHashMap<>();
    // Measured once for the batch (a statfs per file was one of its 15 system calls); what the batch's own
    // puts write is taken off as they go (OfferCheck.FreeSpace).
    OfferCheck.FreeSpace free = null;
    for (Item item : items) {
      try {
        if (free == null) {
          free = OfferCheck.FreeSpace.measureNow(server);
        }
        item.stored = storeOne(item, namespace, fsync, free);
        if (item.stored instanceof Stored.Published) {
          published.computeIfAbsent(item.target.getParent(), dir -> new ArrayList<>()).add(item);
        }
      } catch (Throwable failure) {
        item.failure = storage.diagnoseNow(failure);
      }
    }
    if (!fsync) {
      return;
    }
    published.forEach((directory, into) -> {
      try {
        storage.syncDirectoryNow(directory);
      } catch (IOException | RuntimeException failure) {
        // Visible but not durable: the client hears that it failed, as the one-file path says.
        Throwable diagnosed = storage.diagnoseNow(failure);
        into.forEach(item -> {
          item.stored = null;
          item.failure = diagnosed;
        });
      }
    });
  }

  /** One put, as its offer and commit would go: the same survey, decision (quota included), checks and publish. */
  private Stored storeOne(Item item, Namespace namespace, boolean fsync, OfferCheck.FreeSpace free)
    throws IOException {
    OfferCheck.Survey survey = OfferCheck.surveyPutNow(server, item.offer, item.target, free);
    OfferDecision decision = OfferCheck.decideNow(server, namespace, item.offer, item.target, item.claim, survey);
    if (decision instanceof OfferDecision.Skip skip) {
      return new Stored.Kept(skip.existing(), skip.same());
    }
    Upload upload = ((OfferDecision.Accept) decision).upload();
    Path partial = upload.partial.path();
    try {
      upload.write(item.body);
      String checksum = upload.verify(item.put.checksum());
      ServerOptions options = server.options();
      upload.persist(fsync, FileMetadata.of(item.offer, options.getUmask(), checksum), server.storage().checksums());
      Path stored = server.storage().publishNow(partial, item.target, options.getOnExisting());
      if (stored == null) {
        return Publication.nameTakenNow(server, upload);
      }
      return new Stored.Published(namespace.clientName(server.storage().nameOf(stored)), item.offer.size(), checksum);
    } catch (IOException | RuntimeException failure) {
      // Nothing of a failed put remains (a checksum refusal included).
      try {
        Files.deleteIfExists(partial);
      } catch (IOException e) {
        failure.addSuppressed(e);
      }
      throw failure;
    }
  }
}
