package org.stmzoo.zoo.cli;

import java.nio.file.Path;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.stmzoo.zoo.api.DataSpec;

/**
 * The data flags of train: {@code --data fashion-mnist[:FOLDER] | fashion-mnist-demo | cifar10:FOLDER | FOLDER},
 * {@code --val},
 * {@code --val-split}, {@code --limit-train}/{@code --limit-val}, parsed into a {@link DataSpec}.
 */
final class DataArguments {
  private DataArguments() {}

  static Options add(Options options) {
    return options
        .addOption(Option.builder().longOpt("data").hasArg().argName("PATH")
            .desc("fashion-mnist[:FOLDER], fashion-mnist-demo (the embedded 5000+1000 image subset),"
                + " cifar10:FOLDER, or an image folder root/CLASS/*.jpg").build())
        .addOption(Option.builder().longOpt("val").hasArg().argName("PATH")
            .desc("validation image folder, for an image folder --data (the built-in sets validate on their test"
                + " split)").build())
        .addOption(Option.builder().longOpt("val-split").hasArg().argName("F")
            .desc("hold out this fraction in (0, 1) of an image folder --data for validation (seeded)").build())
        .addOption(Option.builder().longOpt("limit-train").hasArg().argName("N").desc("use N training images, a class-stratified sample drawn with --seed").build())
        .addOption(Option.builder().longOpt("limit-val").hasArg().argName("N").desc("use N validation images, a class-stratified sample drawn with --seed").build());
  }

  static DataSpec parse(CommandLine line) {
    String spec = line.getOptionValue("data");
    if (spec == null) {
      throw new UsageException("--data is required (fashion-mnist, cifar10:FOLDER or an image folder)");
    }
    if (line.hasOption("val") && line.hasOption("val-split")) {
      throw new UsageException("give --val or --val-split, not both");
    }
    Double valSplit = line.hasOption("val-split") ? CliArgs.fraction("val-split", line.getOptionValue("val-split"), true) : null;
    if ((line.hasOption("val") || valSplit != null) && DataSpec.hasOwnTestSplit(spec)) {
      throw new UsageException("--" + (line.hasOption("val") ? "val" : "val-split") + " applies to an image folder;"
          + " --data " + spec + " validates on its own test split");
    }
    try {
      return new DataSpec(spec, line.hasOption("val") ? Path.of(line.getOptionValue("val")) : null, valSplit,
          limit(line, "limit-train"), limit(line, "limit-val"));
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
  }

  private static Integer limit(CommandLine line, String flag) {
    return line.hasOption(flag) ? CliArgs.positiveInt(line, flag, 0) : null;
  }
}
