/** Small network helpers both kirim programs share: address formatting and this host's name. */
package dev.kirim.net;
