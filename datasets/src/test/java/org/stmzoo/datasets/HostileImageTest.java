package org.stmzoo.datasets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.stream.ImageOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.stmzoo.datasets.pipeline.Batch;
import org.stmzoo.datasets.pipeline.BatchLoader;
import org.stmzoo.datasets.pipeline.TransformConfig;
import org.stmzoo.layers.io.InputFileException;
import org.stmzoo.layers.io.InputLimitException;

/**
 * The hostile and the odd-but-valid images of issue 14, generated here (each a few KB): decompression bombs
 * whose headers declare 20000x20000 pixels (JPEG, PNG, TIFF, PGM, WebP), extreme aspect ratios, truncated and
 * foreign files, FIFOs and folders are refused in one line before any pixel is decoded, and a training loader skips
 * and counts them; a cut WebP and floating-point TIFFs are refused in one line; 16-bit PNG, PGM, PPM and TIFF, CMYK
 * JPEG and TIFF, 1x1, animated GIF and progressive JPEG decode.
 */
@Timeout(30)
class HostileImageTest {
  @TempDir Path dir;

  @Test
  void aJpegDeclaringTwentyThousandSquaredPixelsIsRefusedFromItsHeader() throws IOException {
    Path bomb = write("bomb.jpg", jpegDeclaring(20000, 20000));
    assertThat(Files.size(bomb)).isLessThan(2000);
    assertThatThrownBy(() -> ImageDecoding.decodeRgb(bomb, 0)).isInstanceOf(InputLimitException.class)
        .hasMessage(bomb + ": image of 20000x20000 pixels exceeds the limit of 100000000 pixels"
            + " (-Dstmzoo.limit.image-pixels=N)");
  }

  @Test
  void aPngDeclaringHugeGrayPixelsIsRefusedFromItsHeader() throws IOException {
    Path bomb = write("bomb.png", pngDeclaring(16000, 16000, 0));
    assertThatThrownBy(() -> ImageDecoding.decodeRgb(bomb, 0)).isInstanceOf(InputLimitException.class)
        .hasMessageContaining("16000x16000 pixels exceeds the limit");
    assertThatThrownBy(() -> ImageHeader.read(bomb)).isInstanceOf(InputLimitException.class);
  }

  @Test
  void tiffPgmAndWebpDeclaringHugeImagesAreRefusedFromTheirHeaders() throws IOException {
    Path tiff = write("bomb.tif", TestImageFiles.tiff(20000, 20000, TestImageFiles.RGB, 3, 8,
        TestImageFiles.UNSIGNED, new byte[64]));
    Path pgm = write("bomb.pgm", TestImageFiles.pnm("P5", 20000, 20000, 255, new int[64]));
    // VP8L header after the 21 bytes of RIFF and chunk headers and the signature byte: 14 bits width - 1,
    // 14 bits height - 1
    byte[] webp = TestImageFiles.resource("rgb-4x3-lossless.webp");
    ByteBuffer vp8l = ByteBuffer.wrap(webp).order(ByteOrder.LITTLE_ENDIAN);
    vp8l.putInt(21, vp8l.getInt(21) & ~0x0fffffff | 16383 | 16383 << 14);
    Path webpBomb = write("bomb.webp", webp);
    for (Path bomb : List.of(tiff, pgm, webpBomb)) {
      assertThat(Files.size(bomb)).isLessThan(1000);
      String size = bomb == webpBomb ? "16384x16384" : "20000x20000";
      assertThatThrownBy(() -> ImageHeader.read(bomb)).isInstanceOf(InputLimitException.class)
          .hasMessage(bomb + ": image of " + size + " pixels exceeds the limit of 100000000 pixels"
              + " (-Dstmzoo.limit.image-pixels=N)");
      assertThatThrownBy(() -> ImageDecoding.decodeRgb(bomb, 0)).isInstanceOf(InputLimitException.class);
    }
  }

  @Test
  void aCutWebpIsRefusedRatherThanFilledWithZeros() throws IOException {
    // TwelveMonkeys' lossless decoder returns an image for this file cut to 67 of its 110 bytes, the pixels past
    // the cut made up; libwebp refuses it
    byte[] whole = TestImageFiles.resource("rgb-4x3-lossless.webp");
    assertThat(whole).hasSize(110);
    Path cut = write("cut.webp", Arrays.copyOf(whole, 67));
    assertThatThrownBy(() -> ImageDecoding.decodeRgb(cut, 0)).isInstanceOf(InputFileException.class)
        .hasMessage(cut + ": truncated WebP file: its header declares 110 bytes, the file has 67");
    assertThatThrownBy(() -> ImageHeader.read(cut)).hasMessageContaining("truncated WebP");
    assertThatThrownBy(() -> ImageDecoding.decodeRgb(Arrays.copyOf(whole, 67), "bytes.webp", 0))
        .hasMessageContaining("truncated WebP");
    assertThat(ImageDecoding.decodeRgb(write("whole.webp", whole), 0).width()).isEqualTo(4);
  }

  @Test
  void floatingPointAndThirtyTwoBitTiffsAreRefusedInOneLine() throws IOException {
    // PIL clips such samples to 0..255 (an image stored in [0, 1] turns black); the JDK's getRGB threw
    // ArrayIndexOutOfBoundsException for floats above 1, which no loader catches
    Path floats = write("float.tif", TestImageFiles.tiff(2, 1, TestImageFiles.BLACK_IS_ZERO, 1, 32,
        TestImageFiles.FLOAT, TestImageFiles.littleEndianFloats(0.25f, 300f)));
    Path ints = write("int32.tif", TestImageFiles.tiff(2, 1, TestImageFiles.BLACK_IS_ZERO, 1, 32,
        TestImageFiles.UNSIGNED, TestImageFiles.littleEndian(4, 100, 70000)));
    Path signed = write("int16.tif", TestImageFiles.tiff(2, 1, TestImageFiles.BLACK_IS_ZERO, 1, 16,
        TestImageFiles.SIGNED, TestImageFiles.littleEndian(2, -5, 100)));
    assertThat(ImageHeader.read(floats).width()).isEqualTo(2);
    assertThatThrownBy(() -> ImageDecoding.decodeRgb(floats, 0)).isInstanceOf(InputFileException.class)
        .hasMessage(floats + ": has 32-bit floating-point samples, which are not converted to RGB (8- and 16-bit"
            + " unsigned images are); save it with 8- or 16-bit samples");
    assertThatThrownBy(() -> ImageDecoding.decodeRgb(ints, 0)).isInstanceOf(InputFileException.class)
        .hasMessageContaining(": has 32-bit integer samples");
    assertThatThrownBy(() -> ImageDecoding.decodeRgb(signed, 0)).isInstanceOf(InputFileException.class)
        .hasMessageContaining(": has signed 16-bit integer samples");
  }

  @Test
  void cmykTiffWithoutAProfileIsInvertedAsPilDoes() throws IOException {
    // C, M, Y, K; PIL: R = (255 - C) * (255 - K) / 255. The JDK alone gives (56, 79, 96) for the first pixel.
    Path cmyk = write("cmyk.tif", TestImageFiles.tiff(2, 1, TestImageFiles.CMYK, 4, 8, TestImageFiles.UNSIGNED,
        TestImageFiles.littleEndian(1, 245, 235, 225, 0, 0, 255, 255, 51)));
    assertThat(ImageDecoding.decodeRgb(cmyk, 0).pixels()).containsExactly(new float[] {10 / 255f, 20 / 255f,
        30 / 255f, 204 / 255f, 0, 0}, org.assertj.core.data.Offset.offset(1e-6f));
  }

  @Test
  void sixteenBitPgmPpmAndTiffKeepTheirLevelsAsPngDoes() throws IOException {
    // PIL reads 16-bit gray as mode I and convert("RGB") clips it at level 255 (65535 and 13107 both white);
    // stmzoo scales by the white level instead, as for 16-bit PNG
    Path pgm = write("gray16.pgm", TestImageFiles.pnm("P5", 2, 1, 65535, 65535, 13107));
    Path pgm10 = write("gray10.pgm", TestImageFiles.pnm("P5", 2, 1, 1023, 1023, 0));
    Path tiff = write("gray16.tif", TestImageFiles.tiff(2, 1, TestImageFiles.BLACK_IS_ZERO, 1, 16,
        TestImageFiles.UNSIGNED, TestImageFiles.littleEndian(2, 65535, 13107)));
    org.assertj.core.data.Offset<Float> exact = org.assertj.core.data.Offset.offset(1e-6f);
    for (Path gray : List.of(pgm, tiff)) {
      assertThat(ImageDecoding.decodeRgb(gray, 0).pixels()).as(gray.toString())
          .containsExactly(new float[] {1f, 1f, 1f, 0.2f, 0.2f, 0.2f}, exact);
    }
    assertThat(ImageDecoding.decodeRgb(pgm10, 0).pixels()).containsExactly(new float[] {1f, 1f, 1f, 0, 0, 0}, exact);
    // 16-bit RGB: PIL scales to 8 bits (32768 -> 128), stmzoo keeps the finer level
    Path ppm = write("rgb16.ppm", TestImageFiles.pnm("P6", 1, 1, 65535, 65535, 32768, 0));
    assertThat(ImageDecoding.decodeRgb(ppm, 0).pixels())
        .containsExactly(new float[] {1f, 32768 / 65535f, 0f}, exact);
  }

  @Test
  void anExtremeAspectRatioIsRefused() throws IOException {
    Path thin = write("thin.png", pngDeclaring(1, 300_000, 0));
    assertThatThrownBy(() -> ImageDecoding.decodeRgb(thin, 0)).isInstanceOf(InputLimitException.class)
        .hasMessage(thin + ": image of 1x300000 pixels is more than 100 times longer than wide"
            + " (-Dstmzoo.limit.image-aspect=N)");
  }

  @Test
  void thePixelLimitIsASystemProperty() throws IOException {
    Path small = write("small.png", encode(rgb(8, 8), "png"));
    System.setProperty("stmzoo.limit.image-pixels", "63");
    try {
      assertThatThrownBy(() -> ImageDecoding.decodeRgb(small, 0)).hasMessageContaining("limit of 63 pixels");
    } finally {
      System.clearProperty("stmzoo.limit.image-pixels");
    }
    assertThat(ImageDecoding.decodeRgb(small, 0).height()).isEqualTo(8);
  }

  @Test
  void brokenAndForeignFilesAreOneLineErrorsNamingTheFile() throws IOException {
    byte[] png = encode(rgb(16, 16), "png");
    Path truncated = write("truncated.png", Arrays.copyOf(png, png.length / 2));
    Path text = write("notes.jpg", "not an image at all".getBytes());
    Path empty = write("empty.png", new byte[0]);
    Path headerOnly = write("header.jpg", new byte[] {(byte) 0xff, (byte) 0xd8, (byte) 0xff});
    byte[] tiff = TestImageFiles.tiff(4, 4, TestImageFiles.RGB, 3, 8, TestImageFiles.UNSIGNED, new byte[48]);
    Path truncatedTiff = write("truncated.tif", Arrays.copyOf(tiff, tiff.length - 20));
    Path truncatedPgm = write("truncated.pgm", TestImageFiles.pnm("P5", 4, 4, 255, 1, 2, 3));
    for (Path file : List.of(truncated, text, empty, headerOnly, truncatedTiff, truncatedPgm)) {
      assertThatThrownBy(() -> ImageDecoding.decodeRgb(file, 0)).isInstanceOf(InputFileException.class)
          .satisfies(e -> assertThat(e.getMessage()).startsWith(file + ": ").doesNotContain("\n")
              .doesNotContain("Exception"));
    }
  }

  @Test
  void aFifoADeviceAndAFolderAreRefusedWithoutBlocking() throws Exception {
    Path fifo = dir.resolve("fifo.png");
    assertThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor()).isZero();
    Path folder = Files.createDirectory(dir.resolve("folder.jpg"));
    assertThatThrownBy(() -> ImageDecoding.decodeRgb(fifo, 0))
        .hasMessage(fifo + ": is not a regular file (a FIFO, socket or device); only regular files are read");
    assertThatThrownBy(() -> ImageDecoding.decodeRgb(Path.of("/dev/zero"), 0)).hasMessageContaining("not a regular");
    assertThatThrownBy(() -> ImageHeader.read(fifo)).hasMessageContaining("not a regular file");
    assertThatThrownBy(() -> ImageDecoding.decodeRgb(folder, 0)).hasMessage(folder + ": is a directory, not a file");
    assertThatThrownBy(() -> ImageDecoding.decodeRgb(dir.resolve("missing.png"), 0))
        .hasMessage(dir.resolve("missing.png") + ": no such file");
  }

  @Test
  void imageIosDiskCacheIsNeverUsedSoAFolderItCannotWriteDoesNotMatter() throws IOException {
    // what the JVM starts with, and what export's ExportedModel met when it parsed a header before any decode:
    // the cache on, in a temporary folder that cannot be written (here: one that is gone)
    ByteArrayOutputStream png = new ByteArrayOutputStream();
    ImageIO.write(TestImageFiles.fourByThree(), "png", png);
    Path file = Files.write(dir.resolve("ok.png"), png.toByteArray());
    Path gone = Files.createDirectory(dir.resolve("cache"));
    boolean useCache = ImageIO.getUseCache();
    java.io.File cacheDirectory = ImageIO.getCacheDirectory();
    ImageIO.setUseCache(true);
    ImageIO.setCacheDirectory(gone.toFile());
    Files.delete(gone);
    try {
      assertThat(ImageHeader.parse(png.toByteArray(), file)).isEqualTo(new ImageHeader("png", 4, 3));
      assertThat(ImageHeader.read(file)).isEqualTo(new ImageHeader("png", 4, 3));
      assertThat(ImageDecoding.decodeRgb(png.toByteArray(), "ok.png", 0).width()).isEqualTo(4);
      assertThat(ImageDecoding.decodeRgb(file, 0).width()).isEqualTo(4);
    } finally {
      ImageIO.setUseCache(useCache);
      ImageIO.setCacheDirectory(cacheDirectory);
    }
  }

  @Test
  void trainingSkipsAndCountsOversizedImagesLikeCorruptOnes() throws IOException {
    for (String name : List.of("a/1.png", "a/2.png", "b/1.png", "b/2.png")) {
      write(name, encode(rgb(6, 5), "png"));
    }
    write("a/bomb.jpg", jpegDeclaring(20000, 20000));
    write("b/bomb.png", pngDeclaring(16000, 16000, 0));
    ImageFolder folder = ImageFolder.scan(dir);
    TransformConfig train = TransformConfig.train(8, new float[] {0.5f, 0.5f, 0.5f},
        new float[] {0.25f, 0.25f, 0.25f}, null, false);
    try (BatchLoader loader = new BatchLoader(folder, train, 3, true, true, 1, 2)) { // training: full batches
      int images = 0;
      for (Iterator<Batch> it = loader.epoch(0, 0); it.hasNext(); ) {
        images += it.next().size();
      }
      assertThat(images).isEqualTo(6);
      assertThat(loader.skippedImages()).isEqualTo(2);
    }
  }

  @Test
  void sixteenBitPngKeepsItsLevels() throws IOException {
    BufferedImage gray = new BufferedImage(2, 1, BufferedImage.TYPE_USHORT_GRAY);
    gray.getRaster().setSample(0, 0, 0, 65535);
    gray.getRaster().setSample(1, 0, 0, 13107);
    LabeledImage decoded = ImageDecoding.decodeRgb(write("gray16.png", encode(gray, "png")), 3);
    assertThat(decoded.pixels()).containsExactly(new float[] {1f, 1f, 1f, 0.2f, 0.2f, 0.2f},
        org.assertj.core.data.Offset.offset(1e-6f));
    assertThat(decoded.label()).isEqualTo(3);
  }

  @Test
  void cmykJpegDecodes() throws IOException {
    // four-channel JPEG without an Adobe marker: read as CMYK; the JDK's own reader refuses it
    BufferedImage cmyk = new BufferedImage(16, 16, BufferedImage.TYPE_4BYTE_ABGR);
    WritableRaster raster = cmyk.getRaster();
    for (int y = 0; y < 16; y++) {
      for (int x = 0; x < 16; x++) {
        raster.setPixel(x, y, new int[] {0, 255, 255, 0}); // C=0 M=255 Y=255 K=0: red
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
    try (ImageOutputStream stream = ImageIO.createImageOutputStream(out)) {
      writer.setOutput(stream);
      writer.write(null, new IIOImage(raster, null, null), null);
    }
    writer.dispose();
    LabeledImage decoded = ImageDecoding.decodeRgb(write("cmyk.jpg", out.toByteArray()), 0);
    assertThat(decoded.width()).isEqualTo(16);
    float[] center = Arrays.copyOfRange(decoded.pixels(), (8 * 16 + 8) * 3, (8 * 16 + 8) * 3 + 3);
    assertThat(center[0]).as("red").isGreaterThan(0.6f);
    assertThat(center[1]).as("green").isLessThan(0.4f);
  }

  @Test
  void onePixelImageDecodes() throws IOException {
    BufferedImage one = rgb(1, 1);
    one.setRGB(0, 0, 0x336699);
    LabeledImage decoded = ImageDecoding.decodeRgb(write("one.png", encode(one, "png")), 0);
    assertThat(decoded.pixels()).containsExactly(0x33 / 255f, 0x66 / 255f, 0x99 / 255f);
  }

  @Test
  void animatedGifGivesItsFirstFrame() throws IOException {
    BufferedImage red = rgb(4, 4);
    BufferedImage blue = rgb(4, 4);
    for (int p = 0; p < 16; p++) {
      red.setRGB(p % 4, p / 4, 0xff0000);
      blue.setRGB(p % 4, p / 4, 0x0000ff);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageWriter writer = ImageIO.getImageWritersByFormatName("gif").next();
    try (ImageOutputStream stream = ImageIO.createImageOutputStream(out)) {
      writer.setOutput(stream);
      writer.prepareWriteSequence(null);
      for (BufferedImage frame : List.of(red, blue)) {
        IIOMetadata meta = writer.getDefaultImageMetadata(ImageTypeSpecifier.createFromRenderedImage(frame), null);
        writer.writeToSequence(new IIOImage(frame, null, meta), null);
      }
      writer.endWriteSequence();
    }
    writer.dispose();
    Path gif = write("anim.gif", out.toByteArray());
    assertThat(ImageIO.getImageReadersByFormatName("gif").next()).satisfies(r -> {
      try (var in = ImageIO.createImageInputStream(gif.toFile())) {
        r.setInput(in);
        assertThat(r.getNumImages(true)).isEqualTo(2);
      } catch (IOException e) {
        throw new AssertionError(e);
      }
    });
    float[] pixels = ImageDecoding.decodeRgb(gif, 0).pixels();
    assertThat(Arrays.copyOf(pixels, 3)).containsExactly(1f, 0f, 0f);
  }

  @Test
  void progressiveJpegDecodes() throws IOException {
    BufferedImage image = rgb(32, 24);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
    ImageWriteParam param = writer.getDefaultWriteParam();
    param.setProgressiveMode(ImageWriteParam.MODE_DEFAULT);
    try (ImageOutputStream stream = ImageIO.createImageOutputStream(out)) {
      writer.setOutput(stream);
      writer.write(null, new IIOImage(image, null, null), param);
    }
    writer.dispose();
    byte[] bytes = out.toByteArray();
    assertThat(indexOf(bytes, new byte[] {(byte) 0xff, (byte) 0xc2})).as("SOF2: progressive").isPositive();
    LabeledImage decoded = ImageDecoding.decodeRgb(write("progressive.jpg", bytes), 0);
    assertThat(decoded.width()).isEqualTo(32);
    assertThat(decoded.height()).isEqualTo(24);
  }

  /** A valid small baseline JPEG whose SOF0 segment is patched to declare {@code width x height}. */
  static byte[] jpegDeclaring(int width, int height) throws IOException {
    byte[] jpeg = encode(rgb(8, 8), "jpg");
    int sof = indexOf(jpeg, new byte[] {(byte) 0xff, (byte) 0xc0});
    ByteBuffer.wrap(jpeg, sof + 5, 4).putShort((short) height).putShort((short) width);
    return jpeg;
  }

  /** A PNG with a valid IHDR declaring {@code width x height} and a tiny IDAT (colour type 0 gray, 2 RGB). */
  static byte[] pngDeclaring(int width, int height, int colorType) {
    ByteBuffer ihdr = ByteBuffer.allocate(13).putInt(width).putInt(height).put((byte) 8).put((byte) colorType)
        .put((byte) 0).put((byte) 0).put((byte) 0);
    Deflater deflater = new Deflater();
    deflater.setInput(new byte[4096]);
    deflater.finish();
    byte[] idat = new byte[8192];
    idat = Arrays.copyOf(idat, deflater.deflate(idat));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
    chunk(out, "IHDR", ihdr.array());
    chunk(out, "IDAT", idat);
    chunk(out, "IEND", new byte[0]);
    return out.toByteArray();
  }

  private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
    CRC32 crc = new CRC32();
    crc.update(type.getBytes());
    crc.update(data);
    out.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
    out.writeBytes(type.getBytes());
    out.writeBytes(data);
    out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
  }

  private static BufferedImage rgb(int width, int height) {
    return new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
  }

  private static byte[] encode(BufferedImage image, String format) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertThat(ImageIO.write(image, format, out)).isTrue();
    return out.toByteArray();
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  private Path write(String name, byte[] bytes) throws IOException {
    Path file = dir.resolve(name);
    Files.createDirectories(file.getParent());
    return Files.write(file, bytes);
  }
}
