package dev.kirim.server;

import dev.kirim.cluster.ReceivedEvent;
import dev.kirim.server.auth.Access;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;

/**
 * What every connection of one server shares, fixed once the server listens: handed to the connection and
 * to the classes it uses ({@link OfferCheck}, {@link Publication}), which return outcomes instead of
 * calling back into the connection.
 *
 * @param uploadHandler told of every file published
 * @param activity      told of connections and uploads, for metrics and the status page
 * @param access        who a connection is, {@code null} when the server does not authenticate
 */
record ServerContext(Vertx vertx, ServerOptions options, String serverId, StorageDirectory storage,
                     PartialFiles partials, UploadClaims claims, Handler<ReceivedEvent> uploadHandler,
                     ServerActivity activity, Access access) {
}
