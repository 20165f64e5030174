package org.stmzoo.zoo.cli;

import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;
import org.stmzoo.layers.core.Preprocessing;
import org.stmzoo.zoo.api.Catalogue;
import org.stmzoo.zoo.api.ModelInfo;
import org.stmzoo.zoo.api.ModelMeasurement;
import org.stmzoo.zoo.api.ModelShape;

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
    ModelInfo info = Catalogue.model(line.getArgList().get(0));
    ModelShape shape = ModelArguments.shape(line, info);
    ModelMeasurement figures = info.measure(shape);
    Preprocessing preprocessing = info.preprocessing();
    System.out.printf("model:          %s%n", info.name());
    System.out.printf("family:         %s%n", info.family());
    System.out.printf("reference:      %s%n", info.reference());
    System.out.printf("config:         %s%n", info.config());
    System.out.printf(Locale.ROOT, "drop path:      %.2f (default)%n", info.defaultDropPath());
    System.out.printf("input:          %dx%dx%d, %d classes%n", shape.imageSize(), shape.imageSize(),
        shape.inChannels(), shape.numClasses());
    System.out.printf(Locale.ROOT, "preprocessing:  mean=%s std=%s crop_pct=%.3f %s%n",
        Arrays.toString(preprocessing.mean()), Arrays.toString(preprocessing.std()), preprocessing.cropPct(),
        preprocessing.interpolation());
    System.out.println("output shapes (batch 1):");
    for (Map.Entry<String, String> f : figures.outputShapes().entrySet()) {
      System.out.printf("  %-12s %s%n", f.getKey(), f.getValue());
    }
    System.out.printf("parameters:     %,d%n", figures.parameters());
    System.out.printf(Locale.ROOT, "GMACs:          %.3f%n", figures.gmacs());
    return 0;
  }
}
