package dev.kirim.server;

import dev.kirim.protocol.ErrorCode;
import dev.kirim.protocol.Message;
import dev.kirim.protocol.NameRules;
import dev.kirim.protocol.ProtocolException;
import dev.kirim.server.auth.Namespace;
import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The puts of one connection: reads each put's body into memory, takes its name's claim, and gathers the puts
 * whose bodies end in one event-loop turn (one socket read, typically dozens of them) into one
 * {@link PutBatch}. Without {@code fsync} a connection stores one batch at a time, and what arrives meanwhile
 * gathers into the next: such a batch is CPU work on one directory, and two at once only contend for the
 * directory's lock (perf showed it; server CPU fell by a fifth for a resident client). With {@code fsync} a
 * batch mostly waits for the disk, which takes several syncs at once faster than one after another, so
 * batches overlap. What becomes of each put goes back to the connection, which owns the replies.
 * Event-loop confined.
 */
final class PutReceiver {

  /** Where the outcome of each put goes. */
  interface Outcomes {
    /** The put was refused before it was stored (a bad name, too large, its name busy). */
    void refused(Message.Offer offer, ReplyQueue.Slot slot, ProtocolException refusal);

    /** The batch ended for this put: stored, kept or failed ({@link PutBatch.Item#failure()}). */
    void ended(PutBatch.Item item);
  }

  private final ServerContext server;
  private final Context context;
  private final String owner;
  private final PutBatch batch;
  private final Outcomes outcomes;
  private Namespace namespace = Namespace.OPEN;
  private Receiving receiving;
  private List<PutBatch.Item> gathered = new ArrayList<>();
  // Without fsync: a batch is being stored, and the next waits for it.
  private boolean storing;
  private boolean closed;

  /** @param owner who claims names: the connection */
  PutReceiver(ServerContext server, Context context, String owner, Outcomes outcomes) {
    this.server = server;
    this.context = context;
    this.owner = owner;
    this.batch = new PutBatch(server);
    this.outcomes = outcomes;
  }

  /** From the hello on: the client's names resolve in {@code namespace}, and count against its quota. */
  void confine(Namespace namespace) {
    this.namespace = namespace;
  }

  /** A put's line was read; its body follows. Its bytes stay in memory until its reply: the slot bounds them. */
  void start(Message.Put put, ReplyQueue.Slot slot) {
    receiving = new Receiving(put, slot, Buffer.buffer((int) put.size()), System.nanoTime());
  }

  /** @return whether a put's body is being read */
  boolean receiving() {
    return receiving != null;
  }

  void chunk(Buffer chunk) {
    // Copied: chunks may be slices of the socket's pooled buffers.
    receiving.body().appendBuffer(chunk);
  }

  /**
   * The put's body is in: it is gathered with the others of this turn, holding its name's claim. A name being
   * uploaded by another connection is not waited for here ({@code busy}): an offer of it waits.
   */
  void bodyEnd() {
    Receiving put = receiving;
    receiving = null;
    Message.Offer offer = put.put().asOffer();
    Path target;
    try {
      // A name that would leave the namespace breaks the name rules ('..'): bad_name, as anywhere.
      target = server.storage().resolve(namespace.storedName(NameRules.check(offer.name())));
    } catch (ProtocolException badName) {
      outcomes.refused(offer, put.slot(), badName);
      return;
    }
    long maxFileBytes = server.options().getLimits().getMaxFileBytes();
    if (offer.size() > maxFileBytes) {
      outcomes.refused(offer, put.slot(), new ProtocolException(ErrorCode.TOO_LARGE, "'" + offer.name() + "' is "
        + offer.size() + " bytes, this server accepts at most " + maxFileBytes));
      return;
    }
    UploadClaims.Claim claim = server.claims().tryClaim(target, owner);
    if (claim == null) {
      outcomes.refused(offer, put.slot(), new ProtocolException(ErrorCode.BUSY, "'" + offer.name()
        + "' is being uploaded by another connection: offer it instead of putting it, to wait for that upload"));
      return;
    }
    if (gathered.isEmpty() && !storing) {
      // After everything read in this turn: the puts of one read are stored together (without fsync, with
      // those that arrived while the batch before was stored).
      context.runOnContext(v -> store());
    }
    gathered.add(new PutBatch.Item(put.put(), offer, target, claim, put.body(), put.slot(), put.receivedAt()));
  }

  private void store() {
    List<PutBatch.Item> items = gathered;
    gathered = new ArrayList<>();
    if (items.isEmpty() || closed) {
      return;
    }
    boolean oneAtATime = !server.options().isFsync();
    storing = oneAtATime;
    batch.store(items, namespace).onComplete(ar -> {
      items.forEach(outcomes::ended);
      if (oneAtATime) {
        storing = false;
        store();
      }
    });
  }

  /**
   * The connection is gone: the put being read and those gathered are dropped; a batch being stored finishes
   * on its own, like a committed upload.
   */
  void close() {
    closed = true;
    receiving = null;
    gathered.forEach(item -> item.claim.release());
    gathered = new ArrayList<>();
  }

  /** A put whose body is being read, with its reply's place and when it arrived. */
  private record Receiving(Message.Put put, ReplyQueue.Slot slot, Buffer body, long receivedAt) {
  }
}
