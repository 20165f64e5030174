package org.stmzoo.export;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.stmzoo.datasets.ImageHeader;
import org.stmzoo.layers.io.InputLimitException;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Tensor;
import org.tensorflow.exceptions.TFInvalidArgumentException;
import org.tensorflow.ndarray.NdArrays;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.proto.TensorInfo;
import org.tensorflow.proto.TensorShapeProto;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TString;

/**
 * An exported model loaded back through TF's SavedModel loader, as a serving stack would load it. Inputs are
 * checked against the signature before running, encoded images against {@link ImageHeader}'s limits, and bad
 * inputs (wrong dtype or shape, undecodable bytes, images over a limit) surface as IllegalArgumentException with
 * the reason, never as a crash.
 */
public final class ExportedModel implements AutoCloseable {
  private final Path directory;
  private final ModelCard card;
  private final SavedModelBundle bundle;

  private ExportedModel(Path directory, ModelCard card, SavedModelBundle bundle) {
    this.directory = directory;
    this.card = card;
    this.bundle = bundle;
  }

  /** Loads {@code dir}: a version directory, or a TF Serving base directory (its highest version). */
  public static ExportedModel load(Path dir) {
    return load(dir, ConfigProto.getDefaultInstance());
  }

  /** As {@link #load(Path)}, with the session configured by {@code sessionConfig} (e.g. its thread counts). */
  public static ExportedModel load(Path dir, ConfigProto sessionConfig) {
    Path version = versionDirectory(dir);
    try {
      ModelCard card = ModelCard.read(version.resolve(ServingSignatures.MODEL_CARD_FILE));
      SavedModelBundle bundle = SavedModelBundle.loader(version.toString()).withTags(ServingSignatures.TAG)
          .withConfigProto(sessionConfig).load();
      return new ExportedModel(version, card, bundle);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the model card in " + version, e);
    }
  }

  static Path versionDirectory(Path dir) {
    return findVersion(dir).orElseThrow(() -> new IllegalArgumentException(!Files.isDirectory(dir)
        ? "no such directory: " + dir
        : "no SavedModel in " + dir + " (expected " + ServingSignatures.SAVED_MODEL_FILE + " or <version>/"
            + ServingSignatures.SAVED_MODEL_FILE + ")"));
  }

  /**
   * The version {@link #load} would load from {@code dir}: {@code dir} itself if it holds a
   * {@code saved_model.pb}, else its highest numbered subdirectory that does (TF Serving's base directory; only
   * folders named as a version count, {@link SavedModelExporter#versionOf}); empty if neither.
   */
  public static Optional<Path> findVersion(Path dir) {
    if (Files.isRegularFile(dir.resolve(ServingSignatures.SAVED_MODEL_FILE))) {
      return Optional.of(dir);
    }
    if (!Files.isDirectory(dir)) {
      return Optional.empty();
    }
    try (Stream<Path> children = Files.list(dir)) {
      return children
          .filter(p -> SavedModelExporter.versionOf(p).isPresent())
          .filter(p -> Files.isRegularFile(p.resolve(ServingSignatures.SAVED_MODEL_FILE)))
          .max(Comparator.comparingLong(p -> SavedModelExporter.versionOf(p).getAsLong()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public Path directory() {
    return directory;
  }

  public ModelCard card() {
    return card;
  }

  public SavedModelBundle bundle() {
    return bundle;
  }

  /** {@code serving_default} on float32 {@code [batch, height, width, 3]} RGB 0-255. */
  public ClassifierOutputs classify(TFloat32 images) {
    try (Result result = run(ServingSignatures.DEFAULT, ServingSignatures.IMAGES, images)) {
      return ClassifierOutputs.from(result);
    }
  }

  /** {@code predict_image_bytes} on encoded images (JPEG, PNG, GIF, 24- or 32-bit BMP). */
  public ClassifierOutputs classifyEncoded(List<byte[]> encodedImages) {
    try (Result result = runEncoded(encodedImages)) {
      return ClassifierOutputs.from(result);
    }
  }

  /**
   * The pooled embeddings (what the head consumes) of encoded images, through {@code predict_image_bytes}'s
   * {@code features} output: {@code [batch][dim]}.
   */
  public float[][] featuresEncoded(List<byte[]> encodedImages) {
    try (Result result = runEncoded(encodedImages)) {
      return ClassifierOutputs.toMatrix((TFloat32) result.get(ServingSignatures.FEATURES).orElseThrow(() ->
          new IllegalArgumentException(directory + " was exported without a features output; export it again")));
    }
  }

  /**
   * {@code predict_image_bytes} on a non-empty batch of encoded images, each first checked as the in-process
   * decoder checks it ({@link #requireWithinLimits}); the caller closes the result.
   */
  private Result runEncoded(List<byte[]> encodedImages) {
    if (encodedImages.isEmpty()) {
      throw new IllegalArgumentException("no images given");
    }
    for (int i = 0; i < encodedImages.size(); i++) {
      requireWithinLimits(encodedImages.get(i), Path.of(ServingSignatures.IMAGE_BYTES_INPUT + "[" + i + "]"));
    }
    try (TString bytes = TString.tensorOfBytes(NdArrays.vectorOfObjects(encodedImages.toArray(byte[][]::new)))) {
      return run(ServingSignatures.IMAGE_BYTES, ServingSignatures.IMAGE_BYTES_INPUT, bytes);
    }
  }

  /**
   * Refuses, in one line, an encoded image over {@link ImageHeader}'s limits (bytes; pixels and aspect ratio as its
   * header declares them), before the graph decodes it: the limits the in-process decoder ({@code ImageDecoding})
   * applies. A header ImageIO cannot parse is left to the graph's decoder, which reports its own error.
   */
  private static void requireWithinLimits(byte[] image, Path name) {
    try {
      ImageHeader.parse(image, name);
    } catch (InputLimitException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    } catch (IOException e) {
      // not a header ImageIO reads: the graph's decoder decides (and names the problem)
    }
  }

  /**
   * Runs a signature on one input after checking the input's dtype and shape against the signature. The
   * caller closes the result.
   */
  public Result run(String signature, String input, Tensor value) {
    SignatureDef def = bundle.metaGraphDef().getSignatureDefMap().get(signature);
    if (def == null) {
      throw new IllegalArgumentException("the model has no signature '" + signature + "' (it has "
          + bundle.metaGraphDef().getSignatureDefMap().keySet() + ")");
    }
    TensorInfo expected = def.getInputsMap().get(input);
    if (expected == null) {
      throw new IllegalArgumentException(signature + " has no input '" + input + "' (it has "
          + def.getInputsMap().keySet() + ")");
    }
    checkCompatible(signature, input, expected, value);
    try {
      return bundle.function(signature).call(Map.of(input, value));
    } catch (TFInvalidArgumentException e) {
      throw new IllegalArgumentException(signature + " rejected its input: " + firstLine(e.getMessage()), e);
    }
  }

  private static void checkCompatible(String signature, String input, TensorInfo expected, Tensor value) {
    TensorShapeProto shape = expected.getTensorShape();
    boolean shapeOk = shape.getUnknownRank() || shape.getDimCount() == value.shape().numDimensions();
    for (int i = 0; shapeOk && !shape.getUnknownRank() && i < shape.getDimCount(); i++) {
      long want = shape.getDim(i).getSize();
      shapeOk = want < 0 || want == value.shape().get(i);
    }
    if (value.dataType() != expected.getDtype() || !shapeOk) {
      throw new IllegalArgumentException(signature + " expects " + input + " as " + describe(expected)
          + ", got " + value.dataType() + " " + value.shape());
    }
  }

  static String describe(TensorInfo info) {
    TensorShapeProto shape = info.getTensorShape();
    String dims = shape.getUnknownRank() ? "[?]" : shape.getDimList().stream()
        .map(d -> d.getSize() < 0 ? "?" : Long.toString(d.getSize()))
        .reduce((a, b) -> a + ", " + b).map(s -> "[" + s + "]").orElse("[]");
    return info.getDtype() + " " + dims;
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "(no message)";
    }
    int nl = message.indexOf('\n');
    return (nl < 0 ? message : message.substring(0, nl)).trim();
  }

  @Override
  public void close() {
    bundle.close();
  }
}
