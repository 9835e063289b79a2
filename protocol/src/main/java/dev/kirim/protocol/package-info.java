/**
 * The kirim wire protocol: header messages ({@link dev.kirim.protocol.Message}), their codec, the reader that
 * frames a byte stream into messages and bounded body chunks, the name rules both sides apply, and the
 * closed set of error codes.
 * <p>
 * The normative description of the exchange is {@code docs/PROTOCOL.md} at the root of the repository.
 * Nothing in this package opens a socket or deploys a verticle.
 */
package dev.kirim.protocol;
