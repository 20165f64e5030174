package org.stmzoo.zoo.cli;

import java.util.Locale;
import java.util.Map;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;
import org.stmzoo.zoo.analysis.ModelFigures;
import org.stmzoo.zoo.registry.ModelEntry;
import org.stmzoo.zoo.registry.ModelOptions;
import org.stmzoo.zoo.registry.ModelRegistry;

/** {@code ./stmzoo describe NAME [--image-size S] [--num-classes N]}. */
final class DescribeCommand implements Command {
  @Override
  public String name() {
    return "describe";
  }

  @Override
  public String summary() {
    return "show a model's configuration, per-stage output shapes, parameters and GMACs";
  }

  @Override
  public String positional() {
    return "NAME";
  }

  @Override
  public Options options() {
    return ModelArguments.add(new Options());
  }

  @Override
  public int run(CommandLine line) {
    if (line.getArgList().size() != 1) {
      throw new UsageException("describe takes exactly one model NAME");
    }
    ModelEntry entry = ModelRegistry.get(line.getArgList().get(0));
    ModelOptions options = ModelArguments.parse(line, entry);
    ModelFigures figures = ModelFigures.measure(entry, options);
    System.out.printf("model:          %s%n", entry.name());
    System.out.printf("family:         %s%n", entry.family());
    System.out.printf("reference:      %s%n", entry.reference());
    System.out.printf("config:         %s%n", entry.config().describe());
    System.out.printf(Locale.ROOT, "drop path:      %.2f (default)%n", entry.defaultDropPath());
    System.out.printf("input:          %dx%dx%d, %d classes%n", options.imageSize(), options.imageSize(),
        options.inChannels(), options.numClasses());
    System.out.printf(Locale.ROOT, "preprocessing:  mean=%s std=%s crop_pct=%.3f %s%n",
        java.util.Arrays.toString(entry.preprocessing().mean()), java.util.Arrays.toString(entry.preprocessing().std()),
        entry.preprocessing().cropPct(), entry.preprocessing().interpolation());
    System.out.println("output shapes (batch 1):");
    for (Map.Entry<String, String> f : figures.featureShapes().entrySet()) {
      System.out.printf("  %-12s %s%n", f.getKey(), f.getValue());
    }
    System.out.printf("parameters:     %,d%n", figures.parameters());
    System.out.printf(Locale.ROOT, "GMACs:          %.3f%n", figures.gmacs());
    return 0;
  }
}
