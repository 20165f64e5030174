package org.stmzoo.zoo.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.stmzoo.zoo.api.Catalogue;
import org.stmzoo.zoo.api.ImportSpec;
import org.stmzoo.zoo.api.ImportedCheckpoint;
import org.stmzoo.zoo.api.ModelInfo;
import org.stmzoo.zoo.api.WeightImport;

/**
 * {@code import --model NAME --checkpoint FILE --output DIR}: converts a reference PyTorch checkpoint
 * (safetensors or .pth) into an stmzoo checkpoint that predict, eval, export and train --init read.
 */
final class ImportCommand implements Command {
  @Override
  public String name() {
    return "import";
  }

  @Override
  public String summary() {
    return "convert a reference PyTorch checkpoint (.safetensors, .pth) into an stmzoo checkpoint";
  }

  @Override
  public Options options() {
    return new Options()
        .addOption(Option.builder().longOpt("model").hasArg().argName("NAME").required()
            .desc("registered model name, e.g. pit-ti").build())
        .addOption(Option.builder().longOpt("checkpoint").hasArg().argName("FILE").required()
            .desc("reference weights: .safetensors or a PyTorch zip (.pth/.pt/.pth.tar)").build())
        .addOption(Option.builder().longOpt("output").hasArg().argName("DIR").required()
            .desc("directory to write the stmzoo checkpoint to").build())
        .addOption(Option.builder().longOpt("num-classes").hasArg().argName("N")
            .desc("classes of the new model (default 1000); another count re-initialises the head").build())
        .addOption(Option.builder().longOpt("image-size").hasArg().argName("S")
            .desc("input size (default: the model's); position embeddings are resized as each reference resizes them").build())
        .addOption(Option.builder().longOpt("ema")
            .desc("import the training checkpoint's EMA weights (model_ema or state_dict_ema) instead of model/state_dict").build())
        .addOption(Option.builder().longOpt("class-names").hasArg().argName("FILE")
            .desc("text file with one class name per line, in logit order, stored in the metadata").build());
  }

  @Override
  public int run(CommandLine line) throws Exception {
    ModelInfo model = Catalogue.model(line.getOptionValue("model"));
    int numClasses = CliArgs.positiveInt(line, "num-classes", 1000);
    Integer imageSize = ModelArguments.imageSize(line, model.defaultImageSize(), List.of(model.name()));
    Path checkpoint = Path.of(line.getOptionValue("checkpoint"));
    List<String> classNames = line.hasOption("class-names")
        ? classNames(Path.of(line.getOptionValue("class-names"))) : null;
    // a flag's mistake is a usage error here; WeightImport.run refuses the same spec with an IllegalArgumentException
    if (classNames != null && !classNames.isEmpty() && classNames.size() != numClasses) {
      throw new UsageException("--class-names lists " + classNames.size() + " classes, the model has " + numClasses);
    }
    ImportSpec spec = ImportSpec.of(model.name(), checkpoint, Path.of(line.getOptionValue("output")))
        .withNumClasses(numClasses).withImageSize(imageSize).withEma(line.hasOption("ema"))
        .withClassNames(classNames);
    ImportedCheckpoint imported = WeightImport.run(spec, note -> System.out.println("note: " + note));
    System.out.println("imported " + imported.tensors() + " tensors of " + checkpoint.getFileName() + " into "
        + imported.model() + " (" + imported.numClasses() + " classes, " + imported.imageSize() + "px); wrote "
        + imported.directory());
    return 0;
  }

  /**
   * The names of {@code --class-names FILE}; a name on two lines is a mistake in the file, so a usage error naming
   * the flag and both lines, where ImportSpec would refuse it in its own words (an index among the non-blank lines).
   */
  private static List<String> classNames(Path file) throws IOException {
    List<String> names = CliArgs.nameLines("class-names", file);
    if (new HashSet<>(names).size() == names.size()) {
      return names;
    }
    Map<String, Integer> firstLine = new HashMap<>();
    List<String> lines = Files.readAllLines(file); // decodes: nameLines did
    for (int i = 0; i < lines.size(); i++) {
      String name = lines.get(i).strip();
      if (name.isEmpty()) {
        continue;
      }
      Integer first = firstLine.putIfAbsent(name, i + 1);
      if (first != null) {
        throw new UsageException("--class-names " + file + ": line " + (i + 1) + " repeats '" + name + "' of line "
            + first);
      }
    }
    throw new IllegalStateException("a repeated name not found again in " + file); // the file changed meanwhile
  }
}
