package org.stmzoo.zoo.cli;

import java.nio.file.Path;
import java.util.List;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.stmzoo.datasets.ImageNetClasses;
import org.stmzoo.layers.io.PathChecks;
import org.stmzoo.zoo.checkpoint.StmzooCheckpoint;
import org.stmzoo.zoo.registry.BuiltModel;
import org.stmzoo.zoo.registry.ModelEntry;
import org.stmzoo.zoo.registry.ModelOptions;
import org.stmzoo.zoo.registry.ModelRegistry;
import org.stmzoo.zoo.weights.ReferenceCheckpoints;
import org.stmzoo.zoo.weights.StateDict;
import org.stmzoo.zoo.weights.StateDictChoice;
import org.stmzoo.zoo.weights.WeightImporter;
import org.stmzoo.zoo.weights.ModelImport;
import org.tensorflow.Graph;
import org.tensorflow.Session;

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
    ModelEntry entry = ModelRegistry.get(line.getOptionValue("model"));
    ModelOptions options = ModelOptions.imagenet()
        .withNumClasses(CliArgs.positiveInt(line, "num-classes", 1000))
        .withImageSize(ModelArguments.imageSize(line, entry.defaultImageSize(), List.of(entry.name())));
    Path checkpoint = Path.of(line.getOptionValue("checkpoint"));
    Path output = PathChecks.outputFolder(Path.of(line.getOptionValue("output")));
    // every registered family's reference weights are ImageNet-1k classifiers: a kept 1000-class head is named
    List<String> classNames = line.hasOption("class-names")
        ? CliArgs.nameLines("class-names", Path.of(line.getOptionValue("class-names")))
        : options.numClasses() == ImageNetClasses.COUNT ? ImageNetClasses.names() : List.of();
    if (!classNames.isEmpty() && classNames.size() != options.numClasses()) {
      throw new UsageException("--class-names lists " + classNames.size() + " classes, the model has "
          + options.numClasses());
    }
    StateDict weights = ReferenceCheckpoints.read(checkpoint,
        line.hasOption("ema") ? StateDictChoice.EMA : StateDictChoice.MODEL);
    try (Graph graph = new Graph()) {
      BuiltModel built = BuiltModel.build(entry, options, graph, 0L, -1, true);
      try (Session session = new Session(graph)) {
        WeightImporter.Plan plan = ModelImport.apply(built, weights, session);
        plan.notes().forEach(note -> System.out.println("note: " + note));
        StmzooCheckpoint.write(output, session, built,
            StmzooCheckpoint.metadataFor(built, classNames, checkpoint.getFileName().toString()));
        System.out.println("imported " + plan.values().size() + " tensors of " + checkpoint.getFileName()
            + " into " + entry.name() + " (" + options.numClasses() + " classes, " + options.imageSize()
            + "px); wrote " + output);
      }
    }
    return 0;
  }
}
