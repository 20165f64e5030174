package org.stmzoo.zoo.cli;

import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.stmzoo.zoo.registry.ModelEntry;
import org.stmzoo.zoo.registry.ModelOptions;

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
    ModelOptions options = ModelOptions.imagenet()
        .withImageSize(CliArgs.positiveInt(line, "image-size", entry.defaultImageSize()))
        .withNumClasses(CliArgs.positiveInt(line, "num-classes", 1000))
        .withInChannels(CliArgs.positiveInt(line, "in-channels", 3));
    try {
      entry.checkImageSize(options.imageSize()); // a size the architecture cannot take is a bad flag value
    } catch (IllegalArgumentException e) {
      throw new UsageException("--image-size: " + e.getMessage());
    }
    return options;
  }
}
