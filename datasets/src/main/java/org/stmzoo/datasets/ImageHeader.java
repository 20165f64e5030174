package org.stmzoo.datasets;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.FileImageInputStream;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import org.stmzoo.layers.io.InputFileException;
import org.stmzoo.layers.io.InputFiles;
import org.stmzoo.layers.io.InputLimit;
import org.stmzoo.layers.io.InputLimitException;

/**
 * An encoded image's format and dimensions, read from its header alone ({@link ImageReader#getWidth} and
 * {@link ImageReader#getHeight} before any pixel is decoded), and the limits an image must meet before stmzoo
 * decodes it: an 800-byte JPEG may declare 20000x20000 pixels, and a 250 KB PNG 16000x16000, which would take
 * gigabytes to decode. The same checks cover every format ImageIO reads here: JPEG, PNG, GIF, BMP, TIFF (the JDK's
 * reader), WebP and PPM/PGM (TwelveMonkeys' readers).
 *
 * @param format the ImageIO format name ({@code png}, {@code JPEG}, {@code gif}, {@code bmp}, {@code tif},
 *     {@code webp}, {@code pnm})
 * @param width pixels (the first frame's, for an animation)
 * @param height pixels
 */
public record ImageHeader(String format, int width, int height) {
  /** Largest pixel count decoded: 100 megapixels (a 10000x10000 image; a decoded RGB float copy is 1.2 GB). */
  public static final InputLimit MAX_PIXELS = new InputLimit("stmzoo.limit.image-pixels", 100_000_000L);
  /** Largest ratio of the longer side to the shorter: resizing the shorter side to 224 must stay small. */
  public static final InputLimit MAX_ASPECT = new InputLimit("stmzoo.limit.image-aspect", 100);
  /** Largest encoded file read. */
  public static final InputLimit MAX_BYTES = new InputLimit("stmzoo.limit.image-bytes", 256L * 1024 * 1024);

  /**
   * The header of the image file {@code file}, checked against the limits.
   *
   * @throws InputFileException not a regular file, over {@link #MAX_BYTES}, not a format ImageIO reads, a corrupt
   *     header, or dimensions outside the limits ({@link InputLimitException})
   */
  public static ImageHeader read(Path file) throws IOException {
    long length = InputFiles.requireRegularFile(file, MAX_BYTES);
    return withReader(openFile(file), length, file, "corrupt image header", (reader, header) -> header);
  }

  /**
   * The header of the encoded image {@code bytes} ({@code name} for messages), checked against the limits: its
   * size, then the pixels and aspect ratio it declares.
   */
  public static ImageHeader parse(byte[] bytes, Path name) throws IOException {
    MAX_BYTES.checkBytes(name, bytes.length);
    return withReader(inMemory(bytes), bytes.length, name, "corrupt image header", (reader, header) -> header);
  }

  /**
   * The image file {@code file} as a stream ImageIO reads in place. Like {@link #inMemory}, it is made here
   * rather than by {@code ImageIO.createImageInputStream}, whose stream over bytes depends on the global
   * {@code ImageIO.setUseCache}: where that is on (ImageIO's default) it copies each image into a temporary
   * file, and with no writable temporary folder refuses a valid image ("Can't create cache file!").
   */
  static ImageInputStream openFile(Path file) throws InputFileException {
    try {
      return new FileImageInputStream(file.toFile());
    } catch (IOException e) {
      // its message, "FILE (reason)", would name the file twice
      throw new InputFileException(file, Files.isReadable(file) ? "cannot be opened" : "permission denied", e);
    }
  }

  /** Encoded image bytes as a stream ImageIO reads from memory (see {@link #openFile}). */
  static ImageInputStream inMemory(byte[] bytes) {
    return new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes));
  }

  /** What a reader does once the header of its input passed the limits. */
  interface AfterHeader<T> {
    T read(ImageReader reader, ImageHeader header) throws IOException;
  }

  /**
   * Finds the reader for {@code input} (an image of {@code length} bytes), reads and checks the header, and
   * returns what {@code then} makes of it; disposes the reader and closes the stream. Every ImageIO failure is an
   * {@link InputFileException}: {@code NAME: FAILURE (cause)}.
   */
  static <T> T withReader(ImageInputStream input, long length, Path name, String failure, AfterHeader<T> then)
      throws IOException {
    try (ImageInputStream stream = input) {
      ImageReader reader = readerFor(stream, name);
      try {
        return then.read(reader, readChecked(reader, stream, length, name));
      } finally {
        reader.dispose();
      }
    } catch (InputFileException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      throw new InputFileException(name, failure + " (" + describe(e) + ")", e);
    }
  }

  /** The first ImageIO reader that recognises {@code stream}'s content. */
  private static ImageReader readerFor(ImageInputStream stream, Path name) throws InputFileException {
    Iterator<ImageReader> readers = ImageIO.getImageReaders(stream);
    if (!readers.hasNext()) {
      throw new InputFileException(name, "not an image in a known format (JPEG, PNG, GIF, BMP, TIFF, WebP, PPM/PGM)");
    }
    return readers.next();
  }

  /**
   * Gives {@code stream} (an image of {@code length} bytes, at its start) to {@code reader} and reads and checks
   * the header: what every decode does before any pixel is read.
   */
  private static ImageHeader readChecked(ImageReader reader, ImageInputStream stream, long length, Path name)
      throws IOException {
    if (reader.getFormatName().equalsIgnoreCase("webp")) {
      requireWholeWebp(stream, length, name);
    }
    reader.setInput(stream, true, true);
    return checked(reader.getFormatName(), reader.getWidth(0), reader.getHeight(0), name);
  }

  /**
   * Refuses a WebP file shorter than its RIFF header says (a cut download): TwelveMonkeys' lossless decoder reads
   * zeros past the end of its data and returns a partly blank image instead of failing, where libwebp (and so
   * torchvision's PIL) refuses the file. Leaves the stream where it was.
   */
  private static void requireWholeWebp(ImageInputStream stream, long length, Path name) throws IOException {
    byte[] riff = new byte[8];
    stream.mark();
    try {
      stream.readFully(riff);
    } finally {
      stream.reset();
    }
    // "RIFF", then the little-endian size of everything after these 8 bytes
    long declared = 8 + (ByteBuffer.wrap(riff, 4, 4).order(ByteOrder.LITTLE_ENDIAN).getInt() & 0xffffffffL);
    if (declared > length) {
      throw new InputFileException(name, "truncated WebP file: its header declares " + declared
          + " bytes, the file has " + length);
    }
  }

  /** Checks dimensions against {@link #MAX_PIXELS} and {@link #MAX_ASPECT}. */
  static ImageHeader checked(String format, int width, int height, Path name) throws InputFileException {
    if (width <= 0 || height <= 0) {
      throw new InputFileException(name, "image declares " + width + "x" + height + " pixels");
    }
    long pixels = (long) width * height;
    long maxPixels = MAX_PIXELS.value();
    if (pixels > maxPixels) {
      throw new InputLimitException(name, "image of " + width + "x" + height + " pixels exceeds the limit of "
          + maxPixels + " pixels (" + MAX_PIXELS.knob() + ")");
    }
    long maxAspect = MAX_ASPECT.value();
    if (Math.max(width, height) > (long) Math.min(width, height) * maxAspect) {
      throw new InputLimitException(name, "image of " + width + "x" + height + " pixels is more than " + maxAspect
          + " times longer than wide (" + MAX_ASPECT.knob() + ")");
    }
    return new ImageHeader(format, width, height);
  }

  /** An exception as words, without its class name when it has a message. */
  static String describe(Throwable e) {
    String message = e.getMessage();
    return message == null || message.isBlank() ? e.getClass().getSimpleName().replaceAll("(?<=[a-z])(?=[A-Z])", " ")
        .toLowerCase(java.util.Locale.ROOT) : message.lines().findFirst().orElse("").trim();
  }
}
