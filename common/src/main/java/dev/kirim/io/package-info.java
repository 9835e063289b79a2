/** File-system failures worded for people, the same way by both kirim programs. */
package dev.kirim.io;
