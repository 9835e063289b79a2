package dev.kirim.testkit;

import dev.kirim.protocol.Message;
import dev.kirim.protocol.MessageCodec;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import io.vertx.core.parsetools.RecordParser;

/**
 * A TCP relay in front of a server that shows a test every message the server sends, so that a test can act
 * on what the client is told (say, release a name once the client heard {@code busy}) instead of on a timer.
 * Bytes pass unchanged both ways; the server only ever sends header lines, so its side splits into messages.
 */
public final class ReplyTap {

  private final NetServer netServer;
  private final NetClient netClient;

  private ReplyTap(NetServer netServer, NetClient netClient) {
    this.netServer = netServer;
    this.netClient = netClient;
  }

  /** Listens on 127.0.0.1, a free port; each connection is relayed to {@code serverPort}. */
  public static Future<ReplyTap> start(Vertx vertx, int serverPort, Handler<Message> onReply) {
    NetClient netClient = vertx.createNetClient();
    NetServer netServer = vertx.createNetServer().connectHandler(client -> {
      client.pause();
      netClient.connect(serverPort, "127.0.0.1").onComplete(ar -> {
        if (ar.failed()) {
          client.close();
        } else {
          relay(client, ar.result(), onReply);
        }
      });
    });
    return netServer.listen(0, "127.0.0.1").map(server -> new ReplyTap(server, netClient));
  }

  private static void relay(NetSocket client, NetSocket server, Handler<Message> onReply) {
    RecordParser lines = RecordParser.newDelimited("\n", line -> onReply.handle(MessageCodec.decode(line)));
    client.handler(server::write);
    server.handler(data -> {
      client.write(data);
      lines.handle(data.copy());
    });
    client.closeHandler(v -> server.close());
    server.closeHandler(v -> client.close());
    client.resume();
  }

  public int port() {
    return netServer.actualPort();
  }

  public Future<Void> close() {
    return netServer.close().compose(v -> netClient.close());
  }
}
