package dev.kirim.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** What a directory holds, in forms a test compares with one assertion. Hidden files (partial uploads) included. */
public final class Trees {

  private Trees() {
  }

  /**
   * @return every file and directory under {@code root}, as sorted {@code /}-separated relative paths, directories
   *   with a trailing {@code /}: hidden partial files and stray empty files show up here too
   */
  public static List<String> list(Path root) {
    return walkLive(root).stream()
      .filter(p -> !p.equals(root))
      .map(p -> relative(root, p) + (Files.isDirectory(p) ? "/" : ""))
      .sorted()
      .toList();
  }

  /**
   * @return every regular file under {@code root}, as its relative {@code /}-separated name mapped to its size;
   *   empty when {@code root} does not exist
   */
  public static Map<String, Long> sizes(Path root) {
    Map<String, Long> files = new TreeMap<>();
    if (!Files.isDirectory(root)) {
      return files;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      paths.filter(Files::isRegularFile).forEach(path -> files.put(relative(root, path), TestFiles.size(path)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return files;
  }

  /**
   * @return every path under {@code root}, {@code root} included, looked at while a live server may rename or
   *   delete its partial files: an entry gone between its directory's listing and the look at it is left out
   *   (a {@link Files#walk} would fail on it); a root that does not exist fails
   */
  public static List<Path> walkLive(Path root) {
    List<Path> found = new ArrayList<>();
    try {
      Files.walkFileTree(root, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult preVisitDirectory(Path directory, BasicFileAttributes attrs) {
          found.add(directory);
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
          found.add(file);
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
          // Only below the root: a root that is not there fails, as it did with Files.walk.
          if (e instanceof NoSuchFileException && !file.equals(root)) {
            return FileVisitResult.CONTINUE;
          }
          throw e;
        }
      });
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + root, e);
    }
    return found;
  }

  private static String relative(Path root, Path path) {
    return root.relativize(path).toString().replace(root.getFileSystem().getSeparator(), "/");
  }
}
