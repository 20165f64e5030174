package org.stmzoo.zoo.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.stmzoo.datasets.ImageDataset;
import org.stmzoo.layers.core.Preprocessing;
import org.stmzoo.zoo.api.DataSpec;
import org.stmzoo.zoo.analysis.AnalysisImages;
import org.stmzoo.zoo.analysis.AnalysisModel;
import org.stmzoo.zoo.pretrained.Downloader;
import org.stmzoo.zoo.pretrained.PretrainedManifest;
import org.stmzoo.zoo.registry.ModelRegistry;
import org.stmzoo.zoo.weights.NpyFile;

/**
 * The flags every {@code analyze} command shares: the model(s) and their weights, the data, the output folder.
 * Random weights are used only with an explicit {@code --random-init}.
 */
final class AnalysisArguments {
  /** The images to analyse, mapped to [0, 1] with a model's own statistics when they come as a normalised batch. */
  interface Data {
    AnalysisImages forModel(Preprocessing preprocessing);

    /** Classes of a dataset (null for a .npy batch): the class count of a randomly initialised model. */
    List<String> classNames();
  }

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
   * ({@link #checkWeightFlags}) with the others, before any data is read.
   */
  static List<AnalysisModel.Spec> models(CommandLine line, Map<String, String> env) throws IOException {
    List<String> names = line.hasOption("models") ? list(line, "models")
        : line.hasOption("model") ? List.of(line.getOptionValue("model")) : List.of();
    List<String> checkpoints = line.hasOption("checkpoints") ? list(line, "checkpoints")
        : line.hasOption("checkpoint") ? List.of(line.getOptionValue("checkpoint")) : List.of();
    Integer classes = line.hasOption("num-classes") ? CliArgs.positiveInt(line, "num-classes", 1000) : null;
    List<AnalysisModel.Spec> specs = new ArrayList<>();
    if (!checkpoints.isEmpty()) {
      if (!names.isEmpty() && names.size() != checkpoints.size()) {
        throw new UsageException(names.size() + " models but " + checkpoints.size() + " checkpoints");
      }
      for (int i = 0; i < checkpoints.size(); i++) {
        specs.add(new AnalysisModel.Spec(names.isEmpty() ? null : names.get(i),
            new AnalysisModel.Weights.Checkpoint(Path.of(checkpoints.get(i)), line.hasOption("ema")), null, null));
      }
      return specs;
    }
    if (line.hasOption("random-init")) {
      long seed = seed(line);
      for (String name : names) {
        specs.add(new AnalysisModel.Spec(ModelRegistry.get(name).name(), new AnalysisModel.Weights.RandomInit(seed),
            null, classes));
      }
      return specs;
    }
    PretrainedManifest manifest = ModelRegistry.pretrained(env);
    Downloader downloader = new Downloader(DownloadArguments.parse(line, env).cache(), System.err);
    List<String> tags = list(line, "pretrained");
    if (names.isEmpty()) {
      names = new ArrayList<>();
      for (String tag : tags) {
        names.add(manifest.get(tag).model());
      }
    } else if (tags.size() == 1 && names.size() > 1) {
      tags = java.util.Collections.nCopies(names.size(), tags.get(0));
    } else if (tags.size() != names.size()) {
      throw new UsageException(names.size() + " models but " + tags.size() + " pretrained tags");
    }
    for (int i = 0; i < names.size(); i++) {
      String name = ModelRegistry.get(names.get(i)).name();
      PretrainedManifest.Entry release = line.hasOption("models") || line.hasOption("model")
          ? manifest.forModel(name, tags.get(i)) : manifest.get(tags.get(i));
      Path file = downloader.fetch(release);
      specs.add(new AnalysisModel.Spec(name, new AnalysisModel.Weights.Reference(file,
          "pretrained " + release.tag() + " (" + file.getFileName() + ")", release.preprocessing()), null, null));
    }
    return specs;
  }

  /** {@code --data} or {@code --npy} (with optional {@code --labels}); exactly one; all its images. */
  static Data data(CommandLine line) throws IOException {
    if (line.hasOption("data") == line.hasOption("npy")) {
      throw new UsageException("give the images: --data PATH or --npy FILE (one of them)");
    }
    if (line.hasOption("labels") && !line.hasOption("npy")) {
      throw new UsageException("--labels goes with --npy (a --data folder has its labels in its class folders)");
    }
    if (line.hasOption("data")) {
      ImageDataset dataset = DataSpec.evaluationSet(line.getOptionValue("data"));
      // all of it: each analysis takes its --images from here, the ERF reading on past images it must skip
      AnalysisImages images = AnalysisImages.of(dataset);
      return new Data() {
        @Override
        public AnalysisImages forModel(Preprocessing preprocessing) {
          return images;
        }

        @Override
        public List<String> classNames() {
          return dataset.classNames();
        }
      };
    }
    Path npy = Path.of(line.getOptionValue("npy"));
    var batch = NpyFile.read(npy);
    Optional<org.stmzoo.zoo.weights.RawTensor> labels = line.hasOption("labels")
        ? Optional.of(NpyFile.read(Path.of(line.getOptionValue("labels")))) : Optional.empty();
    return new Data() {
      @Override
      public AnalysisImages forModel(Preprocessing p) {
        return AnalysisImages.ofNormalised(batch, labels, p.mean(), p.std(), npy.toString());
      }

      @Override
      public List<String> classNames() {
        return null;
      }
    };
  }

  /** A random-init model takes the data's class count unless --num-classes says otherwise. */
  static List<AnalysisModel.Spec> withDataClasses(List<AnalysisModel.Spec> specs, Data data) {
    return specs.stream().map(s -> s.weights() instanceof AnalysisModel.Weights.RandomInit && s.numClasses() == null
        && data.classNames() != null ? new AnalysisModel.Spec(s.model(), s.weights(), s.imageSize(),
            data.classNames().size()) : s).toList();
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
