/** Small network helpers both kirim programs share: address formatting, this host's name, a rate limit's bucket. */
package dev.kirim.net;
