package org.stmzoo.zoo.api;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.FileVisitOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.stmzoo.datasets.ImageHeader;
import org.stmzoo.export.ClassifierOutputs;
import org.stmzoo.export.EncodedImages;
import org.stmzoo.export.ExportedModel;
import org.stmzoo.export.SavedModelExporter;
import org.stmzoo.layers.core.Preprocessing;
import org.stmzoo.layers.io.InputFiles;
import org.tensorflow.ndarray.FloatNdArray;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;

/**
 * An export loaded through TF's SavedModel loader, as a serving stack loads it: images go through its
 * {@code predict_image_bytes} signature, so decoding and cropping happen in the graph.
 */
final class ExportModel extends LoadedModel<byte[]> {
  private final ExportedModel model;

  ExportModel(ExportedModel model) {
    super(model.card().inputSize(), model.card().preprocessing());
    this.model = model;
  }

  /** Whether {@code dir} holds an export: a version directory or a TF Serving base directory. */
  static boolean isExport(Path dir) {
    return ExportedModel.findVersion(dir).isPresent();
  }

  @Override
  public String name() {
    return model.card().name();
  }

  @Override
  public List<String> classNames() {
    return model.card().classNames();
  }

  /** The file's bytes, which the export's graph decodes. */
  @Override
  byte[] read(Path image) throws IOException {
    return encodedImage(image);
  }

  @Override
  byte[] read(byte[] encodedImage) {
    return encodedImage;
  }

  @Override
  byte[] read(BufferedImage image) {
    return png(image);
  }

  @Override
  float[] logitsOf(byte[] encodedImage) {
    return model.classifyEncoded(List.of(encodedImage)).logits()[0];
  }

  @Override
  float[] featuresOf(byte[] encodedImage) {
    return model.featuresEncoded(List.of(encodedImage))[0];
  }

  /** Through {@code serving_default}: the batch mapped back to the 0-255 pixels that signature normalises. */
  @Override
  float[][] batchLogits(FloatNdArray normalisedBatch) {
    Preprocessing p = preprocessing();
    float[] mean = p.mean(); // copies: fetched once, not per pixel
    float[] std = p.std();
    float[] pixels = new float[Math.toIntExact(normalisedBatch.size())];
    normalisedBatch.copyTo(DataBuffers.of(pixels, false, false));
    for (int i = 0; i < pixels.length; i++) {
      int c = i % 3;
      pixels[i] = (pixels[i] * std[c] + mean[c]) * 255f;
    }
    try (TFloat32 images = TFloat32.tensorOf(normalisedBatch.shape(), DataBuffers.of(pixels, true, false))) {
      return model.classify(images).logits();
    }
  }

  /**
   * The bytes of an image file, checked as the in-process models' decoder checks it: a regular file (a directory, a
   * FIFO or a device such as /dev/zero is refused rather than read) of at most {@link ImageHeader#MAX_BYTES}.
   */
  private static byte[] encodedImage(Path image) throws IOException {
    return InputFiles.readAll(image, ImageHeader.MAX_BYTES);
  }

  /** Lossless, so the graph decodes exactly these pixels. */
  private static byte[] png(BufferedImage image) {
    return EncodedImages.encode(image, "png");
  }

  @Override
  TrainingResult train(TrainSpec spec, TrainingListener listener, PrintStream log) {
    throw new UnsupportedOperationException("an export holds an inference graph only; fine-tune the stmzoo"
        + " checkpoint it was exported from (Stmzoo.load(checkpointDir))");
  }

  /**
   * Copies this export, which is already a SavedModel, to {@code baseDir/<version>/}; the copy is made under a
   * hidden name and renamed into place, so a failure partway leaves no half-copied version behind. Links are
   * followed (a loaded {@code current -> served/3}, a linked {@code variables/}): what is copied is the files they
   * lead to, and a copy that lacks any of the export's files is refused ({@link SavedModelExporter#requireComplete}).
   */
  @Override
  Path write(Path baseDir, long version) throws IOException {
    Path target = SavedModelExporter.versionDirectory(baseDir, version);
    Path source = model.directory().toRealPath();
    return SavedModelExporter.writeAtomically(target, staging -> {
      try (Stream<Path> files = Files.walk(source, FileVisitOption.FOLLOW_LINKS)) {
        for (Path p : files.toList()) {
          // created anew rather than copied with the source's attributes: the version gets the umask's permissions,
          // as a new export's, and a read-only source's variables/ would make its copy read-only before anything is
          // copied into it. Files are copied from a stream, as Files.copy(Path, Path) creates them with the source's
          // mode even without COPY_ATTRIBUTES
          Path copy = staging.resolve(source.relativize(p).toString());
          if (Files.isDirectory(p)) {
            Files.createDirectories(copy);
          } else {
            try (InputStream in = Files.newInputStream(p)) {
              Files.copy(in, copy);
            }
          }
        }
      }
      SavedModelExporter.requireComplete(staging, target);
      return target;
    });
  }

  @Override
  void release() {
    model.close();
  }
}
