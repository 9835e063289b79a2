/**
 * TLS settings both kirim programs share: the {@code tls} configuration keys ({@link dev.kirim.tls.TlsConfig})
 * and the checks of the PEM files they name ({@link dev.kirim.tls.PemFiles}).
 */
package dev.kirim.tls;
