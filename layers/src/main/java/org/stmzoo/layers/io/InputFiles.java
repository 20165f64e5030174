package org.stmzoo.layers.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Only regular files, read within a size bound: the one way stmzoo's readers open input that may come from a
 * stranger. A FIFO would block the open forever, a device ({@code /dev/zero}) never ends, a directory is a
 * confusing error deep inside a parser; all three are refused here, before anything is opened, with one line.
 * Every size check happens before allocating, so a limit is never discovered by running out of memory.
 */
public final class InputFiles {
  private InputFiles() {}

  /**
   * The size of {@code file} after checking it is a regular file (symbolic links followed).
   *
   * @throws InputFileException missing, unreadable, a directory, a FIFO, a socket or a device
   */
  public static long requireRegularFile(Path file) throws InputFileException {
    BasicFileAttributes attributes;
    try {
      attributes = Files.readAttributes(file, BasicFileAttributes.class);
    } catch (NoSuchFileException e) {
      throw new InputFileException(file, "no such file");
    } catch (AccessDeniedException e) {
      throw new InputFileException(file, "permission denied");
    } catch (IOException e) {
      throw new InputFileException(file, "cannot be read (" + e.getMessage() + ")", e);
    }
    if (attributes.isDirectory()) {
      throw new InputFileException(file, "is a directory, not a file");
    }
    if (!attributes.isRegularFile()) {
      throw new InputFileException(file, "is not a regular file (a FIFO, socket or device); only regular files"
          + " are read");
    }
    return attributes.size();
  }

  /** {@link #requireRegularFile}, and its size at most {@code maxBytes} ({@code limitName} says how to raise it). */
  public static long requireRegularFile(Path file, long maxBytes, String limitName) throws InputFileException {
    long size = requireRegularFile(file);
    if (size > maxBytes) {
      throw new InputLimitException(file, size + " bytes exceeds the limit of " + maxBytes + " bytes ("
          + limitName + ")");
    }
    return size;
  }

  /** {@link #requireRegularFile(Path, long, String)} bounded by {@code limit}'s value in force. */
  public static long requireRegularFile(Path file, InputLimit limit) throws InputFileException {
    long size = requireRegularFile(file);
    limit.checkBytes(file, size);
    return size;
  }

  /**
   * The longest array HotSpot allocates (a few below {@code Integer.MAX_VALUE}, for the array header): the one bound
   * every reader that materialises a whole tensor or file in one Java array checks a declared size against.
   */
  public static final int MAX_ARRAY_LENGTH = Integer.MAX_VALUE - 8;

  /** {@link #readAll(Path, long, String)} bounded by {@code limit}'s value in force. */
  public static byte[] readAll(Path file, InputLimit limit) throws IOException {
    return readAll(file, limit.value(), limit.knob());
  }

  /** The whole of a regular file of at most {@code maxBytes} (and under 2 GiB: one Java array). */
  public static byte[] readAll(Path file, long maxBytes, String limitName) throws IOException {
    long size = requireRegularFile(file, maxBytes, limitName);
    if (size > MAX_ARRAY_LENGTH) {
      // not the limit's doing: raising it would not help, so the message does not name it
      throw new InputFileException(file, size + " bytes is more than one Java array holds (" + MAX_ARRAY_LENGTH
          + " bytes); this reader reads a file whole and cannot take it");
    }
    byte[] bytes;
    try (InputStream in = Files.newInputStream(file)) {
      bytes = in.readNBytes((int) size + 1);
    } catch (NoSuchFileException e) {
      throw new InputFileException(file, "no such file");
    } catch (AccessDeniedException e) {
      throw new InputFileException(file, "permission denied");
    }
    if (bytes.length != size) {
      // the file changed between the size check and the read: refuse rather than read an unbounded stream
      throw new InputFileException(file, "changed size while being read (" + size + " -> " + bytes.length
          + " bytes)");
    }
    return bytes;
  }

  /**
   * {@code bytes} (read from {@code file}) as strict UTF-8: a malformed sequence is refused with the offset where it
   * starts instead of being replaced, so a file in another encoding fails in one line rather than parsing as
   * replacement characters.
   */
  public static String utf8(byte[] bytes, Path file) throws InputFileException {
    ByteBuffer in = ByteBuffer.wrap(bytes);
    try {
      return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(in).toString();
    } catch (CharacterCodingException e) {
      throw new InputFileException(file, "not valid UTF-8 (at byte " + in.position() + ")");
    }
  }

  /**
   * A stream over a regular file that fails with {@link InputLimitException} once more than {@code maxBytes}
   * have been read (a file growing while read, or a decompressor's output wrapped with {@link #bounded}).
   */
  public static InputStream open(Path file, long maxBytes, String limitName) throws IOException {
    requireRegularFile(file, maxBytes, limitName);
    try {
      return bounded(Files.newInputStream(file), file, maxBytes, limitName);
    } catch (NoSuchFileException e) {
      throw new InputFileException(file, "no such file");
    } catch (AccessDeniedException e) {
      throw new InputFileException(file, "permission denied");
    }
  }

  /**
   * {@code in}, failing with {@link InputLimitException} naming {@code file} as soon as more than
   * {@code maxBytes} come out of it: the bound for a decompressed stream (a gzip bomb) whose size the file
   * does not tell.
   */
  public static InputStream bounded(InputStream in, Path file, long maxBytes, String limitName) {
    return new LimitedInputStream(in, file, maxBytes, limitName);
  }
}
