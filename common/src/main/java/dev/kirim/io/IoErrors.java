package dev.kirim.io;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

/** How kirim words a file-system failure for a person: what happened, then the JDK's own detail. */
public final class IoErrors {

  private IoErrors() {
  }

  /**
   * @return e.g. {@code permission denied (/srv/inbox/a.bin)}: NIO exceptions often carry only a path as their
   *   message, so the kind of failure, told by its type, comes first
   */
  public static String describe(Throwable e) {
    String kind;
    if (e instanceof NoSuchFileException) {
      kind = "no such file or directory";
    } else if (e instanceof AccessDeniedException) {
      kind = "permission denied";
    } else if (e instanceof FileAlreadyExistsException) {
      kind = "a file is in the way";
    } else if (e instanceof NotDirectoryException) {
      kind = "not a directory";
    } else if (e instanceof DirectoryNotEmptyException) {
      kind = "a directory is in the way";
    } else if (e instanceof FileSystemException) {
      kind = "file system error";
    } else if (e instanceof IOException) {
      kind = "I/O error";
    } else {
      kind = e.getClass().getSimpleName();
    }
    return e.getMessage() == null ? kind : kind + " (" + e.getMessage() + ")";
  }

  /**
   * @return what a person can do about {@code e} when it came from reading a file, e.g. {@code check its
   *   permissions and those of its directories}
   */
  public static String advice(Throwable e) {
    if (e instanceof AccessDeniedException) {
      return "check its permissions and those of its directories";
    }
    if (e instanceof NoSuchFileException) {
      return "check the path";
    }
    return "check that the file and its directories can be read";
  }
}
