package org.stmzoo.zoo.cli;

import java.util.List;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.stmzoo.zoo.api.ModelInfo;
import org.stmzoo.zoo.api.ModelShape;
import org.stmzoo.zoo.registry.ModelEntry;
import org.stmzoo.zoo.registry.ModelOptions;
import org.stmzoo.zoo.registry.ModelRegistry;

/** The model-shape flags several commands share: --image-size, --num-classes, --in-channels. */
final class ModelArguments {
  private ModelArguments() {}

  static Options add(Options options) {
    return options
        .addOption(Option.builder().longOpt("image-size").hasArg().argName("S").desc("input size (default 224)").build())
        .addOption(Option.builder().longOpt("num-classes").hasArg().argName("N").desc("classes (default 1000)").build())
        .addOption(Option.builder().longOpt("in-channels").hasArg().argName("C").desc("input channels (default 3)").build());
  }

  static ModelOptions parse(CommandLine line, ModelEntry entry) {
    return ModelOptions.imagenet()
        .withImageSize(imageSize(line, entry.defaultImageSize(), List.of(entry.name())))
        .withNumClasses(CliArgs.positiveInt(line, "num-classes", 1000))
        .withInChannels(CliArgs.positiveInt(line, "in-channels", 3));
  }

  /** The same flags as the shape {@link ModelInfo#measure} takes: {@code describe}'s. */
  static ModelShape shape(CommandLine line, ModelInfo info) {
    ModelOptions options = parse(line, ModelRegistry.get(info.name()));
    return new ModelShape(options.imageSize(), options.numClasses(), options.inChannels());
  }

  /**
   * {@code --image-size}, or {@code fallback} without the flag, checked against each of {@code models} (registry
   * names): a size an architecture cannot take is a bad value of the flag, so a usage error (exit 2) as a word
   * would be, found while the flags are parsed rather than once data is read or weights fetched. A model known
   * only later (from a checkpoint) checks the size when it is built.
   */
  static Integer imageSize(CommandLine line, Integer fallback, List<String> models) {
    if (!line.hasOption("image-size")) {
      return fallback;
    }
    int size = CliArgs.positiveInt(line, "image-size", 0);
    for (String model : models) {
      ModelEntry entry = ModelRegistry.get(model); // an unknown name is its own error, as it is without the flag
      try {
        entry.checkImageSize(size);
      } catch (IllegalArgumentException e) {
        throw new UsageException("--image-size: " + e.getMessage());
      }
    }
    return size;
  }
}
