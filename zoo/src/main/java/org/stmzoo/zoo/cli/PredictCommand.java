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
import org.stmzoo.layers.io.InputFileException;
import org.stmzoo.layers.io.InputFiles;
import org.stmzoo.layers.io.InputLimitException;
import org.stmzoo.zoo.api.Prediction;
import org.stmzoo.zoo.api.Stmzoo;
import org.stmzoo.zoo.api.StmzooModel;
import org.stmzoo.zoo.predict.CheckpointPredictor;
import org.stmzoo.zoo.predict.Predictor;
import org.stmzoo.zoo.weights.NpyFile;
import org.stmzoo.zoo.weights.RawTensor;

/**
 * {@code predict}, in one of two modes chosen by flags, each one method:
 * <ul>
 *   <li>{@code --model-dir DIR IMAGE... [--json] [--top K]}: the top classes of encoded images from an export
 *       ({@link StmzooModel#classify}), through its image-bytes signature (the same decoding and cropping TF
 *       Serving clients get);</li>
 *   <li>{@code --checkpoint DIR --npy FILE [--json]}: an stmzoo checkpoint, an import's or a training run's
 *       ({@link org.stmzoo.zoo.checkpoint.StmzooCheckpoint#resolve}; graph rebuilt from the registry) fed
 *       an already-normalised float32 NHWC batch as it is; {@code --json} prints an object whose {@code logits}
 *       field is the {@code [batch, classes]} array.</li>
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
    return "classify images with an export (--model-dir) or a .npy batch with a checkpoint (--checkpoint)";
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
        .addOption(Option.builder().longOpt("npy").hasArg().argName("FILE")
            .desc("with --checkpoint: float32 NHWC batch, already normalised, fed as it is").build())
        .addOption(Option.builder().longOpt("top").hasArg().argName("K").desc("classes listed per image (5)").build())
        .addOption(Option.builder().longOpt("json").desc("print JSON instead of a table").build());
  }

  @Override
  public int run(CommandLine line) throws Exception {
    if (line.hasOption("checkpoint") == line.hasOption("model-dir")) {
      throw new UsageException("give exactly one of --model-dir DIR (an export) and --checkpoint DIR");
    }
    return line.hasOption("model-dir") ? predictWithExport(line) : predictWithCheckpoint(line);
  }

  private int predictWithCheckpoint(CommandLine line) throws Exception {
    if (!line.hasOption("npy")) {
      throw new UsageException("--checkpoint takes its input batch with --npy FILE");
    }
    if (!line.getArgList().isEmpty()) {
      throw new UsageException("--checkpoint reads --npy, not image files; use --model-dir for images");
    }
    RawTensor batch = NpyFile.read(Path.of(line.getOptionValue("npy")));
    try (Predictor predictor = CheckpointPredictor.open(Path.of(line.getOptionValue("checkpoint")))) {
      float[][] logits = predictor.logits(batch);
      if (line.hasOption("json")) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("model", predictor.modelName());
        out.put("logits", logits);
        System.out.println(JSON.writeValueAsString(out));
      } else {
        printTopLogits(logits, predictor.classNames(), CliArgs.positiveInt(line, "top", 5));
      }
    }
    return 0;
  }

  private int predictWithExport(CommandLine line) throws IOException {
    List<String> images = line.getArgList();
    if (images.isEmpty()) {
      throw new UsageException("give at least one IMAGE");
    }
    List<ImagePrediction> predictions = new ArrayList<>();
    int k = CliArgs.positiveInt(line, "top", 5);
    try (StmzooModel model = Stmzoo.loadExport(Path.of(line.getOptionValue("model-dir")))) {
      for (String image : images) {
        predictions.add(predict(model, Path.of(image), k));
      }
    }
    print(predictions, line.hasOption("json"));
    return predictions.stream().anyMatch(p -> p.error() != null) ? 1 : 0;
  }

  /**
   * One image at a time, so that an unreadable file is reported as itself and the others still run. The header
   * is checked first ({@link ImageHeader}: pixel count, aspect ratio, file size), so an image that declares
   * 16000x16000 pixels is refused in one line instead of being decoded into gigabytes by the serving graph;
   * a header ImageIO cannot parse is left to the graph's own decoder, which reads the same formats.
   */
  static ImagePrediction predict(StmzooModel model, Path image, int k) {
    try {
      try {
        ImageHeader.read(image);
      } catch (InputLimitException e) {
        throw e;
      } catch (InputFileException e) {
        // not a regular file, or a header ImageIO cannot parse: the file-level failures are reported here, the
        // format-level ones by the serving graph's decoder below
        InputFiles.requireRegularFile(image, ImageHeader.MAX_BYTES);
      }
      byte[] bytes = InputFiles.readAll(image, ImageHeader.MAX_BYTES);
      return new ImagePrediction(image.toString(), model.classify(bytes, k), null);
    } catch (RuntimeException | IOException e) {
      return new ImagePrediction(image.toString(), null, ErrorLine.of(e));
    }
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

  private static void printTopLogits(float[][] logits, List<String> classNames, int k) {
    for (int b = 0; b < logits.length; b++) {
      float[] row = logits[b];
      Integer[] order = new Integer[row.length];
      for (int i = 0; i < row.length; i++) {
        order[i] = i;
      }
      java.util.Arrays.sort(order, (x, y) -> Float.compare(row[y], row[x]));
      StringBuilder s = new StringBuilder("image " + b + ":");
      for (int i = 0; i < Math.min(k, row.length); i++) {
        int c = order[i];
        s.append(String.format(Locale.ROOT, "  %s %.4f", classNames.isEmpty() ? "class " + c : classNames.get(c),
            row[c]));
      }
      System.out.println(s);
    }
  }
}
