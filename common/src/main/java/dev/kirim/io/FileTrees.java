package dev.kirim.io;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.function.BiConsumer;

/** Walks of directory trees that other threads and processes change while they are walked. */
public final class FileTrees {

  private FileTrees() {
  }

  /**
   * Blocking: hands every file under {@code root} (links not followed) to {@code visitor}. A file or directory
   * that vanishes while the tree is walked (an upload published it, a sweep removed it) is skipped, not a failure.
   *
   * @throws IOException when a directory cannot be read for another reason
   */
  public static void forEachFile(Path root, BiConsumer<Path, BasicFileAttributes> visitor) throws IOException {
    Files.walkFileTree(root, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
        visitor.accept(file, attributes);
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFileFailed(Path file, IOException failure) throws IOException {
        if (failure instanceof NoSuchFileException) {
          return FileVisitResult.CONTINUE;
        }
        throw failure;
      }
    });
  }
}
