/** Starting a kirim jar: the shared launcher base and what the build stamped into the jar. */
package dev.kirim.launch;
