package org.stmzoo.zoo.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.stmzoo.datasets.ImageHeader;
import org.stmzoo.layers.io.InputFiles;
import org.stmzoo.zoo.api.ModelSpec;
import org.stmzoo.zoo.api.Prediction;
import org.stmzoo.zoo.api.Stmzoo;
import org.stmzoo.zoo.api.StmzooModel;
import org.stmzoo.zoo.api.Weights;
import org.stmzoo.zoo.weights.NpyFile;
import org.stmzoo.zoo.weights.RawTensor;
import org.tensorflow.ndarray.NdArrays;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;

/**
 * {@code predict}: a model loaded through the Java API ({@link Stmzoo#loadExport} for {@code --model-dir}, an
 * stmzoo checkpoint for {@code --checkpoint}), fed one of two inputs:
 * <ul>
 *   <li>{@code IMAGE... [--top K]}: the top classes of encoded images ({@link StmzooModel#classify}); an export
 *       decodes and crops them in its {@code predict_image_bytes} signature (as TF Serving clients get them), a
 *       checkpoint's graph gets them preprocessed in Java the same way;</li>
 *   <li>{@code --npy FILE}: an already-normalised float32 NHWC batch fed as it is ({@link StmzooModel#logits});
 *       {@code --json} prints an object whose {@code logits} field is the {@code [batch, classes]} array.</li>
 * </ul>
 */
final class PredictCommand implements Command {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One image's result: its top classes, or why it could not be classified. */
  record ImagePrediction(String image, List<Prediction> top, String error) {}

  @Override
  public String name() {
    return "predict";
  }

  @Override
  public String summary() {
    return "classify images, or a normalised .npy batch (--npy), with an export (--model-dir) or a checkpoint"
        + " (--checkpoint)";
  }

  @Override
  public String positional() {
    return "[IMAGE...]";
  }

  @Override
  public Options options() {
    return new Options()
        .addOption(Option.builder().longOpt("model-dir").hasArg().argName("DIR")
            .desc("an export: a version directory or a TF Serving base directory (latest version)").build())
        .addOption(Option.builder().longOpt("checkpoint").hasArg().argName("DIR")
            .desc("an stmzoo checkpoint: a checkpoint folder (import output, RUN/best, RUN/last) or a run folder"
                + " (its best/, else last/)").build())
        .addOption(Option.builder().longOpt("ema").desc("with --checkpoint: its EMA weights (a run trained with"
            + " --model-ema)").build())
        .addOption(Option.builder().longOpt("npy").hasArg().argName("FILE")
            .desc("instead of images: a float32 NHWC batch, already resized, cropped and normalised, fed as it is")
            .build())
        .addOption(Option.builder().longOpt("top").hasArg().argName("K").desc("classes listed per image (5)").build())
        .addOption(Option.builder().longOpt("json").desc("print JSON instead of a table").build());
  }

  @Override
  public int run(CommandLine line) throws Exception {
    if (line.hasOption("checkpoint") == line.hasOption("model-dir")) {
      throw new UsageException("give exactly one of --model-dir DIR (an export) and --checkpoint DIR");
    }
    if (line.hasOption("ema") && !line.hasOption("checkpoint")) {
      throw new UsageException("--ema selects a checkpoint's EMA weights; it goes with --checkpoint");
    }
    if (line.hasOption("npy") == !line.getArgList().isEmpty()) {
      throw new UsageException("give the input: IMAGE... or --npy FILE (one of them)");
    }
    CliArgs.appliesOnlyTo(line, "images, or --npy without --json (which prints the logits)",
        !(line.hasOption("npy") && line.hasOption("json")), "top");
    int k = CliArgs.positiveInt(line, "top", 5);
    // the input is read before the model is built, so that a bad file fails in a moment
    RawTensor batch = line.hasOption("npy") ? NpyFile.read(Path.of(line.getOptionValue("npy"))) : null;
    try (StmzooModel model = load(line)) {
      if (batch != null) {
        printLogits(model, model.logits(NdArrays.wrap(Shape.of(batch.shape()),
            DataBuffers.of(batch.values(), true, false))), k, line.hasOption("json"));
        return 0;
      }
      List<ImagePrediction> predictions = new ArrayList<>();
      for (String image : line.getArgList()) {
        ImagePrediction prediction = predict(model, Path.of(image), k);
        predictions.add(line.hasOption("model-dir") ? withCheckpointHint(prediction) : prediction);
      }
      print(predictions, line.hasOption("json"));
      return predictions.stream().anyMatch(p -> p.error() != null) ? 1 : 0;
    }
  }

  private static StmzooModel load(CommandLine line) throws IOException {
    if (line.hasOption("model-dir")) {
      return Stmzoo.loadExport(Path.of(line.getOptionValue("model-dir")));
    }
    Path checkpoint = Path.of(line.getOptionValue("checkpoint"));
    return Stmzoo.load(ModelSpec.of(null,
        line.hasOption("ema") ? Weights.checkpointEma(checkpoint) : Weights.checkpoint(checkpoint)));
  }

  /**
   * One image at a time, so that an unreadable file is reported as itself and the others still run. The model
   * checks an image's header against {@link ImageHeader}'s limits before decoding it (an export too), so an image
   * that declares 16000x16000 pixels is refused in one line instead of being decoded into gigabytes.
   */
  static ImagePrediction predict(StmzooModel model, Path image, int k) {
    try {
      byte[] bytes = InputFiles.readAll(image, ImageHeader.MAX_BYTES);
      return new ImagePrediction(image.toString(), model.classify(bytes, k), null);
    } catch (RuntimeException | IOException e) {
      return new ImagePrediction(image.toString(), null, ErrorLine.of(e));
    }
  }

  /**
   * An export's graph decodes JPEG, PNG, GIF and BMP only (TF's decoder: "Unknown image file format"); a checkpoint
   * decodes in Java, PPM, TIFF and WebP too, so the refusal says where such an image can be classified.
   */
  static ImagePrediction withCheckpointHint(ImagePrediction prediction) {
    return prediction.error() == null || !prediction.error().contains("Unknown image file format") ? prediction
        : new ImagePrediction(prediction.image(), null, prediction.error()
            + " (predict --checkpoint also reads PPM, TIFF and WebP)");
  }

  static void print(List<ImagePrediction> predictions, boolean json) throws IOException {
    if (json) {
      List<Map<String, Object>> out = new ArrayList<>();
      for (ImagePrediction p : predictions) {
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("image", p.image());
        if (p.error() != null) {
          entry.put("error", p.error());
        } else {
          List<Map<String, Object>> top = new ArrayList<>();
          for (Prediction c : p.top()) {
            Map<String, Object> scored = new LinkedHashMap<>();
            scored.put("class", c.index());
            scored.put("label", c.label());
            scored.put("probability", c.probability());
            top.add(scored);
          }
          entry.put("top", top);
        }
        out.add(entry);
      }
      System.out.println(JSON.enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(out));
      return;
    }
    for (ImagePrediction p : predictions) {
      System.out.println(p.image());
      if (p.error() != null) {
        System.out.println("  error: " + p.error());
        continue;
      }
      for (int k = 0; k < p.top().size(); k++) {
        Prediction c = p.top().get(k);
        System.out.printf(Locale.ROOT, "  %d. %-30s %7.4f  (class %d)%n", k + 1, c.label(), c.probability(), c.index());
      }
    }
  }

  /** {@code --json}: the model's name and the logits; else each image's top classes, as for image files. */
  private static void printLogits(StmzooModel model, float[][] logits, int k, boolean json) throws IOException {
    if (json) {
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("model", model.name());
      out.put("logits", logits);
      System.out.println(JSON.writeValueAsString(out));
      return;
    }
    List<ImagePrediction> predictions = new ArrayList<>();
    for (int b = 0; b < logits.length; b++) {
      predictions.add(new ImagePrediction("image " + b, Prediction.top(logits[b], model.classNames(), k), null));
    }
    print(predictions, false);
  }
}
