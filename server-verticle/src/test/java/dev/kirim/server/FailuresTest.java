package dev.kirim.server;

import dev.kirim.protocol.ErrorCode;
import dev.kirim.protocol.ProtocolException;
import io.vertx.core.file.FileSystemException;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.util.concurrent.CompletionException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Failures become error codes by their type, whatever wraps them and whatever their message says. */
class FailuresTest {

  @Test
  void aRefusalIsSentAsItIs() {
    ProtocolException refusal = new ProtocolException(ErrorCode.TOO_LARGE, "too large");
    assertSame(refusal, Failures.toProtocolException(refusal, "a.bin"));
    assertSame(refusal, Failures.toProtocolException(new CompletionException(refusal), "a.bin"));
  }

  @Test
  void aFullDiskIsNoSpaceEvenWhenVertxWrapsIt() {
    NoSpaceException full = new NoSpaceException(new IOException("No space left on device"));
    ProtocolException direct = Failures.toProtocolException(full, "big.bin");
    ProtocolException wrapped = Failures.toProtocolException(new FileSystemException(full), "big.bin");
    assertEquals(ErrorCode.NO_SPACE, direct.code());
    assertEquals(ErrorCode.NO_SPACE, wrapped.code());
    assertTrue(direct.getMessage().contains("'big.bin'"), direct::getMessage);
  }

  @Test
  void anIoErrorIsInternalWhateverItsMessageSays() {
    // The message of ENOSPC, but not diagnosed as a full disk: the type decides, not the text.
    ProtocolException failure = Failures.toProtocolException(new IOException("No space left on device"), "a.bin");
    assertEquals(ErrorCode.INTERNAL, failure.code());
    assertTrue(failure.getMessage().contains("I/O error"), failure::getMessage);
  }

  @Test
  void aPermissionDeniedIsAccessDeniedNotRetriedAndSaysWhatHappened() {
    ProtocolException failure = Failures.toProtocolException(
      new FileSystemException(new AccessDeniedException("/srv/inbox/a.bin")), "a.bin");
    assertEquals(ErrorCode.ACCESS_DENIED, failure.code());
    assertEquals("access_denied", failure.code().wireName());
    assertTrue(!failure.code().retriable(), "no retry fixes permissions");
    assertTrue(failure.getMessage().contains("permission denied (/srv/inbox/a.bin)"), failure::getMessage);
  }
}
