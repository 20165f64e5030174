package org.stmzoo.zoo.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.stmzoo.datasets.Cifar10Binary;
import org.stmzoo.datasets.FashionMnist;
import org.stmzoo.datasets.ImageDataset;
import org.stmzoo.datasets.ImageFolder;
import org.stmzoo.datasets.Subset;

/**
 * The data flags of train/eval: {@code --data fashion-mnist[:FOLDER] | fashion-mnist-demo | cifar10:FOLDER | FOLDER},
 * {@code --val},
 * {@code --val-split}, {@code --limit-train}/{@code --limit-val}. An image folder is {@code root/CLASS/*.jpg...};
 * its validation set is {@code --val FOLDER}, a seeded {@code --val-split} fraction, or {@code root/val} beside
 * {@code root/train} when the root holds those two.
 */
final class DataArguments {
  /** Training data and, when there is one, the validation set with the same classes. */
  record Data(ImageDataset train, Optional<ImageDataset> val) {}

  private DataArguments() {}

  static Options add(Options options) {
    return options
        .addOption(Option.builder().longOpt("data").hasArg().argName("PATH")
            .desc("fashion-mnist[:FOLDER], fashion-mnist-demo (the embedded 5000+1000 image subset),"
                + " cifar10:FOLDER, or an image folder root/CLASS/*.jpg").build())
        .addOption(Option.builder().longOpt("val").hasArg().argName("PATH").desc("validation image folder").build())
        .addOption(Option.builder().longOpt("val-split").hasArg().argName("F")
            .desc("hold out this fraction of an image folder for validation (seeded)").build())
        .addOption(Option.builder().longOpt("limit-train").hasArg().argName("N").desc("use the first N training images").build())
        .addOption(Option.builder().longOpt("limit-val").hasArg().argName("N").desc("use the first N validation images").build());
  }

  /** The data spec of the Fashion-MNIST subset embedded in the jar (no network, no package needed). */
  static final String DEMO = FashionMnist.DEMO_SPEC;

  static Data parse(CommandLine line, long seed) throws IOException {
    String spec = line.getOptionValue("data");
    if (spec == null) {
      throw new UsageException("--data is required (fashion-mnist, cifar10:FOLDER or an image folder)");
    }
    Data data = load(spec, line.getOptionValue("val"), line.getOptionValue("val-split"), seed);
    ImageDataset train = limit(data.train(), line, "limit-train");
    return new Data(train, data.val().map(v -> limit(v, line, "limit-val")));
  }

  /** The training set of {@code spec} (without any validation split). */
  static ImageDataset trainingSet(String spec) throws IOException {
    return load(spec, null, null, 0).train();
  }

  /** The evaluation set of {@code spec}: Fashion-MNIST's/CIFAR-10's test split, or the folder itself. */
  static ImageDataset evaluationSet(String spec) throws IOException {
    if (spec.equals(DEMO)) {
      return FashionMnist.loadDemo(FashionMnist.Split.TEST);
    }
    if (isFashionMnist(spec)) {
      return FashionMnist.load(fashionMnistFolder(spec), FashionMnist.Split.TEST);
    }
    if (spec.startsWith("cifar10:")) {
      return Cifar10Binary.load(Path.of(spec.substring("cifar10:".length())), false);
    }
    return ImageFolder.scan(existingFolder(spec));
  }

  private static Data load(String spec, String val, String valSplit, long seed) throws IOException {
    if (spec.equals(DEMO)) {
      return new Data(FashionMnist.loadDemo(FashionMnist.Split.TRAIN),
          Optional.of(FashionMnist.loadDemo(FashionMnist.Split.TEST)));
    }
    if (isFashionMnist(spec)) {
      Path folder = fashionMnistFolder(spec);
      return new Data(FashionMnist.load(folder, FashionMnist.Split.TRAIN),
          Optional.of(FashionMnist.load(folder, FashionMnist.Split.TEST)));
    }
    if (spec.startsWith("cifar10:")) {
      Path folder = Path.of(spec.substring("cifar10:".length()));
      return new Data(Cifar10Binary.load(folder, true), Optional.of(Cifar10Binary.load(folder, false)));
    }
    Path root = existingFolder(spec);
    if (val != null) {
      var split = ImageFolder.trainVal(root, existingFolder(val));
      return new Data(split.train(), Optional.of(split.val()));
    }
    if (valSplit != null) {
      var split = ImageFolder.split(root, parseFraction(valSplit), seed);
      return new Data(split.train(), Optional.of(split.val()));
    }
    if (Files.isDirectory(root.resolve("train")) && Files.isDirectory(root.resolve("val"))) {
      var split = ImageFolder.trainVal(root.resolve("train"), root.resolve("val"));
      return new Data(split.train(), Optional.of(split.val()));
    }
    return new Data(ImageFolder.scan(root), Optional.empty());
  }

  private static boolean isFashionMnist(String spec) {
    return spec.equals("fashion-mnist") || spec.startsWith("fashion-mnist:");
  }

  private static Path fashionMnistFolder(String spec) throws IOException {
    Path explicit = spec.contains(":") ? Path.of(spec.substring(spec.indexOf(':') + 1)) : null;
    return FashionMnist.locate(explicit, FashionMnist.defaultCacheFolder(), true);
  }

  private static Path existingFolder(String path) {
    Path p = Path.of(path);
    if (!Files.isDirectory(p)) {
      throw new IllegalArgumentException("data folder " + p + " does not exist");
    }
    return p;
  }

  private static double parseFraction(String value) {
    try {
      return Double.parseDouble(value);
    } catch (NumberFormatException e) {
      throw new UsageException("--val-split must be a number in (0, 1), got '" + value + "'");
    }
  }

  private static ImageDataset limit(ImageDataset data, CommandLine line, String flag) {
    if (!line.hasOption(flag)) {
      return data;
    }
    int n = CliArgs.positiveInt(line, flag, data.size());
    return n >= data.size() ? data : Subset.first(data, n);
  }
}
