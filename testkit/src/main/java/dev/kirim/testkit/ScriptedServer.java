package dev.kirim.testkit;

import dev.kirim.protocol.ChecksumAlgorithm;
import dev.kirim.protocol.ErrorCode;
import dev.kirim.protocol.Message;
import dev.kirim.protocol.MessageReader;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A fake kirim server whose every reply a test scripts, to drive the client through what a real server does
 * rarely or not at all: dropped connections, replies of a newer version, silence. {@link #OBLIGING} is a
 * minimal well-behaved server (welcome, send, done) that scripts fall back on.
 */
public final class ScriptedServer {

  /** Decides what the server does on each message a client sends. */
  public interface Script {
    void handle(Connection connection, Message message);
  }

  /**
   * Welcomes, accepts every offer from offset 0, confirms every commit with the checksum it computed, and
   * answers a cancel as a real server does.
   */
  public static final Script OBLIGING = (connection, message) -> {
    if (message instanceof Message.Hello) {
      connection.welcome();
    } else if (message instanceof Message.Offer offer) {
      connection.reply(new Message.Send(offer.id(), 0));
    } else if (message instanceof Message.Commit commit) {
      connection.done(commit);
    } else if (message instanceof Message.Put put) {
      connection.done(new Message.Commit(put.id(), put.checksum()));
    } else if (message instanceof Message.Cancel cancel) {
      connection.reply(new Message.Error(cancel.id(), ErrorCode.CANCELLED, "upload cancelled: " + cancel.reason()));
    }
  };

  private final NetServer netServer;
  private final AtomicInteger connections = new AtomicInteger();
  /** Every message received, as {@code connection number: type}, for assertions. */
  public final List<String> received = new CopyOnWriteArrayList<>();
  /** Breaches of "data, body and commit go back to back" (PROTOCOL.md 2.3), which a real server may not notice. */
  public final List<String> violations = new CopyOnWriteArrayList<>();

  private ScriptedServer(Vertx vertx, Script script) {
    this.netServer = vertx.createNetServer().connectHandler(socket ->
      new Connection(connections.incrementAndGet(), socket, script, this));
  }

  public static Future<ScriptedServer> start(Vertx vertx, Script script) {
    ScriptedServer server = new ScriptedServer(vertx, script);
    return server.netServer.listen(0, "127.0.0.1").map(server);
  }

  /** @return the port it listens on, on 127.0.0.1 */
  public int port() {
    return netServer.actualPort();
  }

  public int connectionCount() {
    return connections.get();
  }

  public Future<Void> close() {
    return netServer.close();
  }

  /** One client connection: what it sent, and the means to answer. */
  public static final class Connection {

    public final int number;
    private final NetSocket socket;
    private final Map<Long, Buffer> bodies = new HashMap<>();
    private final Map<Long, Message.Offer> offers = new HashMap<>();
    private long receivingId = -1;
    private boolean awaitingCommit;
    private Message.Put pendingPut;

    private Connection(int number, NetSocket socket, Script script, ScriptedServer server) {
      this.number = number;
      this.socket = socket;
      MessageReader.create(socket, 8192, 64 * 1024)
        .messageHandler(message -> {
          String type = message.getClass().getSimpleName().toLowerCase();
          server.received.add(number + ": " + type);
          boolean ends = message instanceof Message.Commit commit && commit.id() == receivingId
            || message instanceof Message.Cancel cancel && cancel.id() == receivingId;
          if (awaitingCommit && !ends) {
            server.violations.add(number + ": '" + type + "' between the body of id " + receivingId + " and its commit");
          }
          awaitingCommit = message instanceof Message.Data;
          if (message instanceof Message.Offer offer) {
            offers.put(offer.id(), offer);
          } else if (message instanceof Message.Data data) {
            receivingId = data.id();
            bodies.put(data.id(), Buffer.buffer());
          } else if (message instanceof Message.Put put) {
            // The script sees a put once its body is in: then it can answer it as a commit.
            offers.put(put.id(), put.asOffer());
            receivingId = put.id();
            bodies.put(put.id(), Buffer.buffer());
            pendingPut = put;
            return;
          }
          script.handle(this, message);
        })
        .chunkHandler(chunk -> bodies.get(receivingId).appendBuffer(chunk))
        .bodyEndHandler(v -> {
          Message.Put put = pendingPut;
          pendingPut = null;
          if (put != null) {
            script.handle(this, put);
          }
        })
        .exceptionHandler(e -> socket.close());
    }

    public void reply(Message message) {
      socket.write(message.toBuffer());
    }

    /** Sends a line as it is, say one a newer server would send that {@link Message} cannot express. */
    public void replyRaw(String json) {
      socket.write(json + "\n");
    }

    public void welcome() {
      reply(new Message.Welcome(Message.VERSION, "scripted", 1L << 40));
    }

    /** Welcomes as a server that takes puts of files up to {@code maxPutSize} bytes. */
    public void welcomeWithPuts(int maxPutSize) {
      reply(new Message.Welcome(Message.VERSION, "scripted", 1L << 40, maxPutSize, null, null));
    }

    /**
     * Confirms a commit (or a put, as {@code commit{id, put.checksum}}) the way a real server does: with its own
     * checksum of the bytes it received.
     */
    public void done(Message.Commit commit) {
      Message.Offer offer = offers.get(commit.id());
      ChecksumAlgorithm.Checksum checksum = offer.checksumAlgorithm().start();
      byte[] body = bodies.get(commit.id()).getBytes();
      checksum.update(body);
      reply(new Message.Done(commit.id(), offer.name(), body.length, checksum.value()));
    }

    /** Welcomes as kirim's own server does: puts up to 64 KiB, and pings answered. */
    public void welcomeAnsweringPings() {
      reply(new Message.Welcome(Message.VERSION, "scripted", 1L << 40, null, null, true));
    }

    /**
     * Stops reading the connection and never reads again: what the client sends piles up in the socket buffers,
     * as for a server that hangs or is cut off by the network (the client cannot tell the two apart).
     */
    public void stopReading() {
      socket.pause();
    }

    public Message.Offer offer(long id) {
      return offers.get(id);
    }

    public void close() {
      socket.close();
    }
  }
}
