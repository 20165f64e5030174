package org.stmzoo.zoo.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.stmzoo.export.ClassifierOutputs;
import org.stmzoo.export.ClassifierOutputs.ScoredClass;
import org.stmzoo.export.ExportedModel;

/**
 * {@code ./stmzoo predict --model-dir DIR IMAGE... [--json]}: the top-5 classes of each image from an exported
 * model, through its image-bytes signature (the same decoding and cropping TF Serving clients get). Each
 * mode of predict (an export here; a checkpoint with a .npy input is another) is one method.
 */
final class PredictCommand implements Command {
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /** One image's result: its top classes, or why it could not be classified. */
  record ImagePrediction(String image, List<ScoredClass> top, String error) {}

  @Override
  public String name() {
    return "predict";
  }

  @Override
  public String summary() {
    return "top-5 classes of images from an exported model";
  }

  @Override
  public String positional() {
    return "IMAGE...";
  }

  @Override
  public Options options() {
    return new Options()
        .addOption(Option.builder().longOpt("model-dir").hasArg().argName("DIR")
            .desc("an export: a version directory or a TF Serving base directory (latest version)").build())
        .addOption(Option.builder().longOpt("json").desc("print JSON instead of a table").build());
  }

  @Override
  public int run(CommandLine line) throws IOException {
    if (line.hasOption("model-dir")) {
      return predictWithExport(line);
    }
    throw new UsageException("give --model-dir DIR");
  }

  private int predictWithExport(CommandLine line) throws IOException {
    List<String> images = line.getArgList();
    if (images.isEmpty()) {
      throw new UsageException("give at least one IMAGE");
    }
    List<ImagePrediction> predictions = new ArrayList<>();
    try (ExportedModel model = ExportedModel.load(Path.of(line.getOptionValue("model-dir")))) {
      for (String image : images) {
        predictions.add(predict(model, Path.of(image)));
      }
    }
    print(predictions, line.hasOption("json"));
    return predictions.stream().anyMatch(p -> p.error() != null) ? 1 : 0;
  }

  /** One image at a time, so that an unreadable file is reported as itself and the others still run. */
  static ImagePrediction predict(ExportedModel model, Path image) {
    if (!Files.isRegularFile(image)) {
      return new ImagePrediction(image.toString(), null, "no such file");
    }
    try {
      ClassifierOutputs outputs = model.classifyEncoded(List.of(Files.readAllBytes(image)));
      return new ImagePrediction(image.toString(), outputs.top(0), null);
    } catch (IllegalArgumentException | IOException e) {
      return new ImagePrediction(image.toString(), null, e.getMessage());
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
          for (ScoredClass c : p.top()) {
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
      System.out.println(JSON.writeValueAsString(out));
      return;
    }
    for (ImagePrediction p : predictions) {
      System.out.println(p.image());
      if (p.error() != null) {
        System.out.println("  error: " + p.error());
        continue;
      }
      for (int k = 0; k < p.top().size(); k++) {
        ScoredClass c = p.top().get(k);
        System.out.printf(Locale.ROOT, "  %d. %-30s %7.4f  (class %d)%n", k + 1, c.label(), c.probability(), c.index());
      }
    }
  }
}
