package org.stmzoo.zoo.cli;

import com.google.gson.GsonBuilder;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.stmzoo.zoo.predict.CheckpointPredictor;
import org.stmzoo.zoo.predict.Predictor;
import org.stmzoo.zoo.weights.NpyFile;
import org.stmzoo.zoo.weights.RawTensor;

/**
 * {@code predict}: class scores for a batch. Where the model comes from is chosen by flags: {@code --checkpoint DIR}
 * (an stmzoo checkpoint, the graph rebuilt from the registry) or, later, {@code --model-dir DIR} (a SavedModel).
 * Input: {@code --npy FILE}, an already-normalised float32 NHWC batch, fed as it is. Output: the top classes per
 * image, or with {@code --json} an object whose {@code logits} field is the {@code [batch, classes]} array.
 */
final class PredictCommand implements Command {
  @Override
  public String name() {
    return "predict";
  }

  @Override
  public String summary() {
    return "class scores of a normalised NHWC batch (.npy) from an stmzoo checkpoint";
  }

  @Override
  public Options options() {
    return new Options()
        .addOption(Option.builder().longOpt("checkpoint").hasArg().argName("DIR")
            .desc("stmzoo checkpoint directory (written by import or train)").build())
        .addOption(Option.builder().longOpt("model-dir").hasArg().argName("DIR")
            .desc("exported SavedModel directory").build())
        .addOption(Option.builder().longOpt("npy").hasArg().argName("FILE")
            .desc("float32 NHWC batch, already normalised, fed as it is").build())
        .addOption(Option.builder().longOpt("json").desc("print {\"model\", \"logits\": [batch][classes]}").build())
        .addOption(Option.builder().longOpt("top").hasArg().argName("K").desc("classes listed per image (5)").build());
  }

  @Override
  public int run(CommandLine line) throws Exception {
    if (!line.hasOption("npy")) {
      throw new UsageException("give the input batch with --npy FILE");
    }
    RawTensor batch = NpyFile.read(Path.of(line.getOptionValue("npy")));
    try (Predictor predictor = open(line)) {
      float[][] logits = predictor.logits(batch);
      if (line.hasOption("json")) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("model", predictor.modelName());
        out.put("logits", logits);
        System.out.println(new GsonBuilder().serializeSpecialFloatingPointValues().create().toJson(out));
      } else {
        printTop(logits, predictor.classNames(), CliArgs.positiveInt(line, "top", 5));
      }
    }
    return 0;
  }

  /** The model source the flags select: exactly one of --checkpoint and --model-dir. */
  private static Predictor open(CommandLine line) throws Exception {
    if (line.hasOption("checkpoint") == line.hasOption("model-dir")) {
      throw new UsageException("give exactly one of --checkpoint DIR and --model-dir DIR");
    }
    if (line.hasOption("model-dir")) {
      throw new UsageException("--model-dir (SavedModel) prediction is not available in this build; use --checkpoint");
    }
    return CheckpointPredictor.open(Path.of(line.getOptionValue("checkpoint")));
  }

  private static void printTop(float[][] logits, List<String> classNames, int k) {
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
        s.append(String.format("  %s %.4f", classNames.isEmpty() ? "class " + c : classNames.get(c), row[c]));
      }
      System.out.println(s);
    }
  }
}
