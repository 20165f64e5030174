package org.stmzoo.zoo.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.stmzoo.zoo.api.AnalysisData;
import org.stmzoo.zoo.api.Downloads;
import org.stmzoo.zoo.api.ModelSpec;
import org.stmzoo.zoo.api.Weights;

/**
 * The flags every {@code analyze} command shares, parsed into the parts of an
 * {@link org.stmzoo.zoo.api.AnalysisSpec}: the model(s) and their weights, the data, the output folder. Random
 * weights are used only with an explicit {@code --random-init}.
 */
final class AnalysisArguments {
  private AnalysisArguments() {}

  static Options add(Options options) {
    DownloadArguments.add(options);
    return options
        .addOption(Option.builder().longOpt("model").hasArg().argName("NAME").desc("model name (./stmzoo list)").build())
        .addOption(Option.builder().longOpt("models").hasArg().argName("A,B,...")
            .desc("several models, compared in one figure (with --checkpoints, --pretrained or --random-init)").build())
        .addOption(Option.builder().longOpt("checkpoint").hasArg().argName("DIR")
            .desc("stmzoo checkpoint or run folder (its best/, else last/); names the model itself").build())
        .addOption(Option.builder().longOpt("checkpoints").hasArg().argName("D1,D2,...")
            .desc("one checkpoint per model of --models (or alone: the models they hold)").build())
        .addOption(Option.builder().longOpt("ema").desc("the checkpoints' EMA weights").build())
        .addOption(Option.builder().longOpt("pretrained").hasArg().argName("TAG")
            .desc("published weights: a tag of ./stmzoo pretrained list, or with --model/--models a suffix (in1k)").build())
        .addOption(Option.builder().longOpt("random-init").desc("random weights (smoke tests: the figures mean little)").build())
        .addOption(Option.builder().longOpt("num-classes").hasArg().argName("N")
            .desc("classes of a --random-init model (default: the data's, else 1000)").build())
        .addOption(Option.builder().longOpt("data").hasArg().argName("PATH")
            .desc("images: fashion-mnist (test split), cifar10:FOLDER (test batch) or a folder root/CLASS/*.jpg").build())
        .addOption(Option.builder().longOpt("npy").hasArg().argName("FILE")
            .desc("an already-normalised NHWC float32 batch, as predict --npy takes").build())
        .addOption(Option.builder().longOpt("labels").hasArg().argName("FILE")
            .desc("labels of the --npy batch: [N] class indices (float32, int32 or int64 .npy)").build())
        .addOption(Option.builder().longOpt("images").hasArg().argName("N")
            .desc("images to analyse (erf: default 50; invariance, robustness: default all; report: default 100)").build())
        .addOption(Option.builder().longOpt("batch-size").hasArg().argName("B").desc("images per session run").build())
        .addOption(Option.builder().longOpt("seed").hasArg().argName("S").desc("random draws (default 0)").build())
        .addOption(Option.builder().longOpt("output").hasArg().argName("DIR").desc("where the numbers and figures go").build());
  }

  /**
   * The weight flags alone, before anything is read or fetched: one source of weights, and no flag that source
   * would ignore.
   */
  static void checkWeightFlags(CommandLine line) {
    boolean checkpoints = line.hasOption("checkpoints") || line.hasOption("checkpoint");
    int sources = (checkpoints ? 1 : 0) + (line.hasOption("pretrained") ? 1 : 0)
        + (line.hasOption("random-init") ? 1 : 0);
    if (sources != 1) {
      throw new UsageException(sources == 0
          ? "give the weights: --checkpoint DIR (or --checkpoints), --pretrained TAG, or --random-init"
          : "give only one of --checkpoint(s), --pretrained and --random-init");
    }
    if (line.hasOption("random-init") && !line.hasOption("model") && !line.hasOption("models")) {
      throw new UsageException("--random-init needs --model NAME or --models A,B,...");
    }
    // a checkpoint and a release fix their classes; only a checkpoint holds EMA weights
    CliArgs.appliesOnlyTo(line, "--random-init", line.hasOption("random-init"), "num-classes");
    CliArgs.appliesOnlyTo(line, "--checkpoint and --checkpoints", checkpoints, "ema");
    CliArgs.appliesOnlyTo(line, "--pretrained", line.hasOption("pretrained"), "offline", "mirror");
  }

  /**
   * The models with their weights; at least one, else a usage error. The caller has checked the weight flags
   * ({@link #checkWeightFlags}) with the others. Nothing is read or fetched here: the analysis does that, after the
   * data.
   */
  static List<ModelSpec> models(CommandLine line, Map<String, String> env) {
    List<String> names = line.hasOption("models") ? list(line, "models")
        : line.hasOption("model") ? List.of(line.getOptionValue("model")) : List.of();
    List<String> checkpoints = line.hasOption("checkpoints") ? list(line, "checkpoints")
        : line.hasOption("checkpoint") ? List.of(line.getOptionValue("checkpoint")) : List.of();
    List<ModelSpec> specs = new ArrayList<>();
    if (!checkpoints.isEmpty()) {
      if (!names.isEmpty() && names.size() != checkpoints.size()) {
        throw new UsageException(names.size() + " models but " + checkpoints.size() + " checkpoints");
      }
      for (int i = 0; i < checkpoints.size(); i++) {
        specs.add(ModelSpec.of(names.isEmpty() ? null : names.get(i),
            new Weights.Checkpoint(Path.of(checkpoints.get(i)), line.hasOption("ema"))));
      }
      return specs;
    }
    if (line.hasOption("random-init")) {
      for (String name : names) {
        specs.add(ModelSpec.of(name, Weights.random(seed(line))));
      }
      return specs;
    }
    Downloads downloads = DownloadArguments.parse(line, env);
    List<String> tags = list(line, "pretrained");
    if (names.isEmpty()) {
      // full tags: each names its model
      names = java.util.Collections.nCopies(tags.size(), null);
    } else if (tags.size() == 1 && names.size() > 1) {
      tags = java.util.Collections.nCopies(names.size(), tags.get(0));
    } else if (tags.size() != names.size()) {
      throw new UsageException(names.size() + " models but " + tags.size() + " pretrained tags");
    }
    for (int i = 0; i < names.size(); i++) {
      specs.add(ModelSpec.of(names.get(i), Weights.pretrained(tags.get(i))).withDownloads(downloads));
    }
    return specs;
  }

  /**
   * {@code --num-classes}: the class count of the {@code --random-init} models; null without it (the data's class
   * count, else 1000).
   */
  static Integer randomInitClasses(CommandLine line) {
    return line.hasOption("num-classes") ? Integer.valueOf(CliArgs.positiveInt(line, "num-classes", 1000)) : null;
  }

  /** {@code --data} or {@code --npy} (with optional {@code --labels}); exactly one; all its images. */
  static AnalysisData data(CommandLine line) {
    if (line.hasOption("data") == line.hasOption("npy")) {
      throw new UsageException("give the images: --data PATH or --npy FILE (one of them)");
    }
    if (line.hasOption("labels") && !line.hasOption("npy")) {
      throw new UsageException("--labels goes with --npy (a --data folder has its labels in its class folders)");
    }
    if (line.hasOption("data")) {
      return AnalysisData.dataset(line.getOptionValue("data"));
    }
    Path npy = Path.of(line.getOptionValue("npy"));
    return line.hasOption("labels") ? AnalysisData.npy(npy, Path.of(line.getOptionValue("labels")))
        : AnalysisData.npy(npy);
  }

  static Path output(CommandLine line, String fallback) {
    return Path.of(line.getOptionValue("output", fallback));
  }

  static long seed(CommandLine line) {
    return CliArgs.nonNegativeInt(line, "seed", 0);
  }

  static List<String> list(CommandLine line, String option) {
    List<String> out = Arrays.stream(line.getOptionValue(option).split(",")).map(String::trim)
        .filter(s -> !s.isEmpty()).toList();
    if (out.isEmpty()) {
      throw new UsageException("--" + option + " is empty");
    }
    return out;
  }
}
