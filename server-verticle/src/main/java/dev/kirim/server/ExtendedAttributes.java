package dev.kirim.server;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.UserDefinedFileAttributeView;

/**
 * The small facts kirim keeps on its files, as user extended attributes ({@code user.kirim.*}): a stored
 * file's checksum ({@link ChecksumCache}) and a partial file's resume key ({@link PartialFiles}). They travel
 * with the file through a hard link or a rename and vanish with it, so they can never describe another file.
 * Whether the storage's file system keeps them is probed once ({@link #probe}); where it does not (vfat, some
 * network and FUSE file systems), reads find nothing and writes do nothing. All calls are blocking.
 */
final class ExtendedAttributes {

  // The longest value kirim writes is a resume key, which holds the name (up to 1024 bytes) and ~150 more.
  private static final int MAX_VALUE_BYTES = 4096;

  private final boolean supported;

  private ExtendedAttributes(boolean supported) {
    this.supported = supported;
  }

  /** Writes, reads back and removes an attribute on a scratch file in {@code directory} (blocking). */
  static ExtendedAttributes probe(Path directory) throws IOException {
    Path scratch = Files.createTempFile(directory, ".xattr-probe.", ".kirim-part");
    try {
      ExtendedAttributes attributes = new ExtendedAttributes(true);
      attributes.write(scratch, "kirim.probe", "1");
      return new ExtendedAttributes("1".equals(attributes.read(scratch, "kirim.probe")));
    } catch (IOException | UnsupportedOperationException e) {
      return new ExtendedAttributes(false);
    } finally {
      Files.deleteIfExists(scratch);
    }
  }

  /** For file systems known to keep none, or tests. */
  static ExtendedAttributes unsupported() {
    return new ExtendedAttributes(false);
  }

  boolean supported() {
    return supported;
  }

  /** @return the attribute's value, or {@code null} when it is not set, too long, or cannot be read */
  String read(Path file, String name) {
    if (!supported) {
      return null;
    }
    try {
      // One read into room for the longest value: the JDK opens the file for each call on the view, so asking
      // for the list and the size first cost three times the system calls (the attribute is usually there).
      ByteBuffer value = ByteBuffer.allocate(MAX_VALUE_BYTES);
      view(file).read(name, value);
      return new String(value.array(), 0, value.position(), StandardCharsets.UTF_8);
    } catch (IOException | UnsupportedOperationException e) {
      // Not set, longer than any value kirim writes, gone meanwhile, or refused: nothing to go by.
      return null;
    }
  }

  /** Removes the attribute if it is set. */
  void remove(Path file, String name) throws IOException {
    if (supported) {
      UserDefinedFileAttributeView view = view(file);
      if (view.list().contains(name)) {
        view.delete(name);
      }
    }
  }

  /** Sets the attribute; a file system that refuses it only costs what the attribute would have saved. */
  void write(Path file, String name, String value) throws IOException {
    if (supported) {
      view(file).write(name, StandardCharsets.UTF_8.encode(value));
    }
  }

  private static UserDefinedFileAttributeView view(Path file) throws IOException {
    UserDefinedFileAttributeView view = Files.getFileAttributeView(file, UserDefinedFileAttributeView.class,
      LinkOption.NOFOLLOW_LINKS);
    if (view == null) {
      throw new IOException("no user-defined attributes on " + file.getFileSystem());
    }
    return view;
  }
}
