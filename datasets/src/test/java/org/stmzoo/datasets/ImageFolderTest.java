package org.stmzoo.datasets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageFolderTest {
  @TempDir
  Path root;

  static void writeImage(Path file, int type, int argb) throws IOException {
    Files.createDirectories(file.getParent());
    BufferedImage image = new BufferedImage(3, 2, type);
    for (int y = 0; y < 2; y++) {
      for (int x = 0; x < 3; x++) {
        image.setRGB(x, y, argb);
      }
    }
    String name = file.getFileName().toString();
    String format = name.substring(name.lastIndexOf('.') + 1).toLowerCase();
    if (!ImageIO.write(image, format.equals("jpg") ? "jpeg" : format, file.toFile())) {
      throw new IOException("no writer for " + format);
    }
  }

  @Test
  void discoversSortedClassesAndImageExtensionsCaseInsensitively() throws IOException {
    writeImage(root.resolve("zebra/b.PNG"), BufferedImage.TYPE_INT_RGB, 0x102030);
    writeImage(root.resolve("zebra/a.png"), BufferedImage.TYPE_INT_RGB, 0x102030);
    writeImage(root.resolve("ant/nested/x.bmp"), BufferedImage.TYPE_INT_RGB, 0x102030);
    writeImage(root.resolve("ant/y.JPG"), BufferedImage.TYPE_INT_RGB, 0x808080);
    Files.writeString(root.resolve("ant/notes.txt"), "not an image");
    Files.writeString(root.resolve("zebra/.hidden.png"), "resource fork");
    ImageFolder data = ImageFolder.scan(root);
    assertThat(data.classNames()).containsExactly("ant", "zebra");
    assertThat(data.size()).isEqualTo(4);
    List<String> names = new ArrayList<>();
    for (int i = 0; i < data.size(); i++) {
      names.add(root.relativize(data.file(i)) + ":" + data.label(i));
    }
    assertThat(names).containsExactly("ant/nested/x.bmp:0", "ant/y.JPG:0", "zebra/a.png:1", "zebra/b.PNG:1");
  }

  @Test
  void grayAndRgbaImagesBecomeRgb() throws IOException {
    writeImage(root.resolve("c/gray.png"), BufferedImage.TYPE_BYTE_GRAY, 0xff000000);
    // Exact gray level: write raw samples, since setRGB on a gray image converts colour spaces.
    BufferedImage gray = new BufferedImage(3, 2, BufferedImage.TYPE_BYTE_GRAY);
    gray.getRaster().setSample(1, 0, 0, 77);
    ImageIO.write(gray, "png", root.resolve("c/gray.png").toFile());
    writeImage(root.resolve("c/rgba.png"), BufferedImage.TYPE_INT_ARGB, 0x80c86432);
    writeImage(root.resolve("c/pal.gif"), BufferedImage.TYPE_INT_RGB, 0xff0000);
    ImageFolder data = ImageFolder.scan(root);
    LabeledImage g = data.get(0);
    assertThat(root.relativize(data.file(0)).toString()).isEqualTo("c/gray.png");
    assertThat(g.channels()).isEqualTo(3);
    assertThat(g.height()).isEqualTo(2);
    assertThat(g.width()).isEqualTo(3);
    assertThat(new float[] {g.pixels()[3], g.pixels()[4], g.pixels()[5]}).containsOnly(77 / 255f);
    assertThat(g.pixels()[0]).isZero();
    LabeledImage gif = data.get(1);
    assertThat(new float[] {gif.pixels()[0], gif.pixels()[1], gif.pixels()[2]}).containsExactly(1f, 0f, 0f);
    LabeledImage rgba = data.get(2);
    assertThat(rgba.channels()).isEqualTo(3);
    // alpha dropped, colour kept as stored (PIL's convert("RGB"))
    assertThat(new float[] {rgba.pixels()[0], rgba.pixels()[1], rgba.pixels()[2]})
        .containsExactly(200 / 255f, 100 / 255f, 50 / 255f);
  }

  @Test
  void torchvisionFormatsAreFoundLabelledAndDecodeToThePixelsOfTheSamePng() throws IOException {
    BufferedImage image = TestImageFiles.fourByThree();
    Path png = root.resolve("reference.png");
    ImageIO.write(image, "png", png.toFile());
    BufferedImage gray = new BufferedImage(4, 3, BufferedImage.TYPE_BYTE_GRAY);
    int[] levels = {0, 18, 77, 124, 164, 200, 251, 255, 1, 2, 3, 4};
    gray.getRaster().setPixels(0, 0, 4, 3, levels);
    Path grayPng = root.resolve("gray.png");
    ImageIO.write(gray, "png", grayPng.toFile());

    Path data = root.resolve("data");
    Files.createDirectories(data.resolve("tiff"));
    assertThat(ImageIO.write(image, "tiff", data.resolve("tiff/plain.tif").toFile())).isTrue();
    writeLzwTiff(image, data.resolve("tiff/lzw.TIFF"));
    Files.write(Files.createDirectories(data.resolve("webp")).resolve("lossless.webp"),
        TestImageFiles.resource("rgb-4x3-lossless.webp"));
    Files.write(Files.createDirectories(data.resolve("pnm")).resolve("colour.ppm"), TestImageFiles.fourByThreePpm());
    Files.write(data.resolve("pnm/gray.pgm"), TestImageFiles.pnm("P5", 4, 3, 255, levels));

    ImageFolder folder = ImageFolder.scan(data);
    List<String> names = new ArrayList<>();
    for (int i = 0; i < folder.size(); i++) {
      names.add(data.relativize(folder.file(i)) + ":" + folder.label(i));
    }
    assertThat(names).containsExactly("pnm/colour.ppm:0", "pnm/gray.pgm:0", "tiff/lzw.TIFF:1", "tiff/plain.tif:1",
        "webp/lossless.webp:2");
    float[] expected = ImageDecoding.decodeRgb(png, 0).pixels();
    for (int i : new int[] {0, 2, 3, 4}) {
      LabeledImage decoded = folder.get(i);
      assertThat(decoded.pixels()).as(names.get(i)).containsExactly(expected);
      assertThat(decoded.label()).isEqualTo(folder.label(i));
    }
    LabeledImage pgm = folder.get(1);
    assertThat(pgm.pixels()).containsExactly(ImageDecoding.decodeRgb(grayPng, 0).pixels());
    assertThat(new float[] {pgm.pixels()[3], pgm.pixels()[4], pgm.pixels()[5]}).containsOnly(18 / 255f);
  }

  private static void writeLzwTiff(BufferedImage image, Path file) throws IOException {
    ImageWriter writer = ImageIO.getImageWritersByFormatName("tiff").next();
    ImageWriteParam param = writer.getDefaultWriteParam();
    param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
    param.setCompressionType("LZW");
    try (ImageOutputStream out = ImageIO.createImageOutputStream(file.toFile())) {
      writer.setOutput(out);
      writer.write(null, new IIOImage(image, null, null), param);
    } finally {
      writer.dispose();
    }
  }

  @Test
  void webpAlphaIsDroppedAndLossyWebpIsCloseToLibwebp() throws IOException {
    LabeledImage rgba = ImageDecoding.decodeRgb(TestImageFiles.resource("rgba-1x1-lossless.webp"), "rgba.webp", 0);
    assertThat(rgba.pixels()).containsExactly(200 / 255f, 100 / 255f, 50 / 255f);

    // TwelveMonkeys' VP8 decoder is not libwebp's: its pixels differ by a few levels (see docs/security.md)
    float[] lossy = ImageDecoding.decodeRgb(TestImageFiles.resource("gradient-64x64-lossy.webp"), "lossy.webp", 0)
        .pixels();
    float[] libwebp = ImageDecoding.decodeRgb(TestImageFiles.resource("gradient-64x64-lossy.libwebp.png"),
        "libwebp.png", 0).pixels();
    assertThat(lossy).hasSameSizeAs(libwebp);
    double sum = 0;
    double max = 0;
    for (int i = 0; i < lossy.length; i++) {
      double levels = Math.abs(lossy[i] - libwebp[i]) * 255;
      sum += levels;
      max = Math.max(max, levels);
    }
    assertThat(sum / lossy.length).as("mean difference in levels").isLessThan(3);
    assertThat(max).as("largest difference in levels").isLessThan(20);
  }

  @Test
  void otherFilesInClassFoldersAreCountedInTheDescription() throws IOException {
    Path data = root.resolve("photos");
    writeImage(data.resolve("cat/a.png"), BufferedImage.TYPE_INT_RGB, 0);
    writeImage(data.resolve("cat/b.png"), BufferedImage.TYPE_INT_RGB, 0);
    writeImage(data.resolve("dog/c.jpg"), BufferedImage.TYPE_INT_RGB, 0);
    writeImage(data.resolve("dog/d.jpg"), BufferedImage.TYPE_INT_RGB, 0);
    Files.writeString(data.resolve("cat/notes.txt"), "x");
    Files.writeString(data.resolve("cat/IMG_0001.HEIC"), "x");
    Files.writeString(Files.createDirectories(data.resolve("dog/deep")).resolve("IMG_0002.heic"), "x");
    Files.writeString(data.resolve("dog/README"), "x");
    Files.writeString(data.resolve("dog/.DS_Store"), "hidden: neither read nor counted");
    Files.writeString(data.resolve("dog/._c.jpg"), "hidden: neither read nor counted");

    ImageFolder folder = ImageFolder.scan(data);
    assertThat(folder.size()).isEqualTo(4);
    assertThat(folder.skippedFiles()).isEqualTo(new SkippedFiles(4, List.of(".heic", ".txt", "no extension")));
    assertThat(folder.description()).isEqualTo(
        "image folder " + data + " (4 images, 2 classes; 4 other files skipped: .heic, .txt, no extension)");
    assertThat(Subset.first(folder, 1).description()).isEqualTo("1 images of " + folder.description());

    // the parts of a split are not where the files were skipped: they name the folder's count
    DatasetSplit split = ImageFolder.split(data, 0.5, 7);
    assertThat(split.train().description()).isEqualTo("train part of image folder " + data
        + " (split 0.500, seed 7) (2 images, 2 classes; 4 other files of the folder skipped: .heic, .txt,"
        + " no extension)");
    assertThat(split.val().description()).endsWith("(2 images, 2 classes; 4 other files of the folder skipped:"
        + " .heic, .txt, no extension)");

    Files.delete(data.resolve("cat/notes.txt"));
    Files.delete(data.resolve("cat/IMG_0001.HEIC"));
    Files.delete(data.resolve("dog/deep/IMG_0002.heic"));
    Files.delete(data.resolve("dog/README"));
    assertThat(ImageFolder.scan(data).description()).isEqualTo("image folder " + data + " (4 images, 2 classes)");
    assertThat(ImageFolder.split(data, 0.5, 7).val().description()).endsWith("(2 images, 2 classes)");
  }

  @Test
  void aValidationFolderCountsItsOwnSkippedFiles() throws IOException {
    writeImage(root.resolve("train/a/1.png"), BufferedImage.TYPE_INT_RGB, 0);
    writeImage(root.resolve("val/a/1.png"), BufferedImage.TYPE_INT_RGB, 0);
    Files.writeString(root.resolve("val/a/2.heic"), "x");
    DatasetSplit split = ImageFolder.trainVal(root.resolve("train"), root.resolve("val"));
    assertThat(split.train().description()).endsWith("(1 images, 1 classes)");
    assertThat(split.val().description()).endsWith("(1 images, 1 classes; 1 other file skipped: .heic)");
  }

  @Test
  void layoutErrorsNameThePath() throws IOException {
    Path missing = root.resolve("nope");
    assertThatThrownBy(() -> ImageFolder.scan(missing)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(missing.toString()).hasMessageContaining("does not exist");

    Path emptyRoot = Files.createDirectories(root.resolve("empty"));
    assertThatThrownBy(() -> ImageFolder.scan(emptyRoot)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(emptyRoot.toString()).hasMessageContaining("no images");

    Path loose = root.resolve("loose");
    writeImage(loose.resolve("a.png"), BufferedImage.TYPE_INT_RGB, 0);
    assertThatThrownBy(() -> ImageFolder.scan(loose)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no class sub-folders").hasMessageContaining(loose.resolve("<class>").toString());

    Path withEmptyClass = root.resolve("data");
    writeImage(withEmptyClass.resolve("cat/a.png"), BufferedImage.TYPE_INT_RGB, 0);
    Files.createDirectories(withEmptyClass.resolve("dog"));
    Files.writeString(withEmptyClass.resolve("dog/readme.txt"), "x");
    assertThatThrownBy(() -> ImageFolder.scan(withEmptyClass)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(withEmptyClass.resolve("dog").toString())
        .hasMessageEndingWith("contains no images (*.bmp, *.gif, *.jpeg, *.jpg, *.pgm, *.png, *.ppm, *.tif, *.tiff,"
            + " *.webp); it holds 1 file of another type: .txt");

    Files.writeString(withEmptyClass.resolve("dog/a.HEIC"), "x");
    Files.writeString(withEmptyClass.resolve("dog/b.heic"), "x");
    Files.writeString(withEmptyClass.resolve("dog/.hidden.png"), "x");
    assertThatThrownBy(() -> ImageFolder.scan(withEmptyClass))
        .hasMessageEndingWith("; it holds 3 files of other types: .heic, .txt");

    Path emptyClass = root.resolve("bare");
    writeImage(emptyClass.resolve("cat/a.png"), BufferedImage.TYPE_INT_RGB, 0);
    Files.createDirectories(emptyClass.resolve("dog"));
    assertThatThrownBy(() -> ImageFolder.scan(emptyClass)).hasMessageEndingWith("*.tiff, *.webp)");
  }

  @Test
  void symlinkedClassFoldersAndSubFoldersAreFollowed() throws IOException {
    // torchvision's make_dataset walks with os.walk(followlinks=True): a class folder that is a link, and a link
    // to a sub-folder inside a real class folder, both contribute their images.
    Path elsewhere = root.resolve("elsewhere");
    writeImage(elsewhere.resolve("cats/a.png"), BufferedImage.TYPE_INT_RGB, 0x102030);
    writeImage(elsewhere.resolve("more-dogs/deep/b.png"), BufferedImage.TYPE_INT_RGB, 0x102030);
    Path data = Files.createDirectories(root.resolve("data"));
    Files.createSymbolicLink(data.resolve("cat"), elsewhere.resolve("cats"));
    writeImage(data.resolve("dog/c.png"), BufferedImage.TYPE_INT_RGB, 0x102030);
    Files.createSymbolicLink(data.resolve("dog/more"), elsewhere.resolve("more-dogs"));
    ImageFolder scanned = ImageFolder.scan(data);
    assertThat(scanned.classNames()).containsExactly("cat", "dog");
    List<String> names = new ArrayList<>();
    for (int i = 0; i < scanned.size(); i++) {
      names.add(data.relativize(scanned.file(i)) + ":" + scanned.label(i));
    }
    assertThat(names).containsExactly("cat/a.png:0", "dog/c.png:1", "dog/more/deep/b.png:1");
    assertThat(scanned.get(0).height()).isEqualTo(2);
  }

  @Test
  void aSymlinkCycleIsAClearError() throws IOException {
    Path data = root.resolve("cyclic");
    writeImage(data.resolve("cat/a.png"), BufferedImage.TYPE_INT_RGB, 0x102030);
    Files.createSymbolicLink(data.resolve("cat/again"), data.resolve("cat"));
    assertThatThrownBy(() -> ImageFolder.scan(data)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(data.resolve("cat").toString()).hasMessageContaining("symbolic link cycle");
  }

  @Test
  void validationFolderUsesTrainingClasses() throws IOException {
    writeImage(root.resolve("train/a/1.png"), BufferedImage.TYPE_INT_RGB, 0);
    writeImage(root.resolve("train/b/1.png"), BufferedImage.TYPE_INT_RGB, 0);
    writeImage(root.resolve("val/b/1.png"), BufferedImage.TYPE_INT_RGB, 0);
    DatasetSplit split = ImageFolder.trainVal(root.resolve("train"), root.resolve("val"));
    assertThat(split.val().classNames()).containsExactly("a", "b");
    assertThat(((ImageFolder) split.val()).label(0)).isEqualTo(1);

    writeImage(root.resolve("val/c/1.png"), BufferedImage.TYPE_INT_RGB, 0);
    assertThatThrownBy(() -> ImageFolder.trainVal(root.resolve("train"), root.resolve("val")))
        .hasMessageContaining("[c]");
  }

  @Test
  void seededSplitIsDeterministicStratifiedAndDisjoint() throws IOException {
    for (int i = 0; i < 10; i++) {
      writeImage(root.resolve("a/" + i + ".png"), BufferedImage.TYPE_INT_RGB, 0);
    }
    for (int i = 0; i < 5; i++) {
      writeImage(root.resolve("b/" + i + ".png"), BufferedImage.TYPE_INT_RGB, 0);
    }
    DatasetSplit first = ImageFolder.split(root, 0.2, 42);
    DatasetSplit again = ImageFolder.split(root, 0.2, 42);
    DatasetSplit other = ImageFolder.split(root, 0.2, 7);
    assertThat(files(first.val())).isEqualTo(files(again.val()));
    assertThat(files(first.val())).isNotEqualTo(files(other.val()));
    // round(10 * 0.2) = 2 of class a, round(5 * 0.2) = 1 of class b
    assertThat(first.val().size()).isEqualTo(3);
    assertThat(first.train().size()).isEqualTo(12);
    ImageFolder val = (ImageFolder) first.val();
    assertThat(List.of(val.label(0), val.label(1), val.label(2))).containsExactly(0, 0, 1);
    Set<Path> union = new HashSet<>(files(first.train()));
    union.addAll(files(first.val()));
    assertThat(union).hasSize(15);
    assertThatThrownBy(() -> ImageFolder.split(root, 1.0, 1)).hasMessageContaining("(0, 1)");
  }

  private static List<Path> files(ImageDataset data) {
    ImageFolder folder = (ImageFolder) data;
    List<Path> files = new ArrayList<>();
    for (int i = 0; i < folder.size(); i++) {
      files.add(folder.file(i));
    }
    return files;
  }
}
