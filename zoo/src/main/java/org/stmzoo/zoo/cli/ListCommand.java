package org.stmzoo.zoo.cli;

import java.util.List;
import java.util.Locale;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.stmzoo.zoo.api.Catalogue;
import org.stmzoo.zoo.api.ModelInfo;
import org.stmzoo.zoo.api.ModelMeasurement;
import org.stmzoo.zoo.api.ModelShape;

/** {@code ./stmzoo list [GLOB] [--format table|tsv|json]}: one row per model, measured on the built graph. */
final class ListCommand implements Command {
  static final String TSV_HEADER = "name\tfamily\treference\tparameters\tgmacs";

  @Override
  public String name() {
    return "list";
  }

  @Override
  public String summary() {
    return "list models with parameters and GMACs (224x224, 1000 classes)";
  }

  @Override
  public String positional() {
    return "[GLOB]";
  }

  @Override
  public Options options() {
    return new Options().addOption(Option.builder().longOpt("format").hasArg().argName("table|tsv|json|markdown")
        .desc("output format (default table)").build());
  }

  @Override
  public int run(CommandLine line) {
    String format = line.getOptionValue("format", "table");
    if (!List.of("table", "tsv", "json", "markdown").contains(format)) {
      throw new UsageException("--format must be table, tsv, json or markdown, got '" + format + "'");
    }
    if (line.getArgList().size() > 1) {
      throw new UsageException("list takes at most one GLOB");
    }
    String glob = line.getArgList().isEmpty() ? null : line.getArgList().get(0);
    List<ModelInfo> entries = glob == null ? Catalogue.models() : Catalogue.models(glob);
    if (entries.isEmpty()) {
      throw new IllegalArgumentException("no model matches '" + glob + "'");
    }
    switch (format) {
      case "tsv" -> System.out.println(TSV_HEADER);
      case "table" -> System.out.printf("%-28s %-18s %-34s %12s %7s%n", "NAME", "FAMILY", "REFERENCE", "PARAMS", "GMACS");
      case "markdown" -> System.out.println("| name | family | reference | parameters | GMACs |\n| --- | --- | --- | ---: | ---: |");
      default -> System.out.println("[");
    }
    for (int i = 0; i < entries.size(); i++) {
      ModelInfo e = entries.get(i);
      ModelMeasurement f = e.measure(ModelShape.imagenet()); // one row at a time, printed as it is measured
      String gmacs = String.format(Locale.ROOT, "%.2f", f.gmacs());
      switch (format) {
        case "tsv" -> System.out.println(String.join("\t", e.name(), e.family(), e.reference(),
            Long.toString(f.parameters()), gmacs));
        case "table" -> System.out.printf(Locale.ROOT, "%-28s %-18s %-34s %12d %7s%n", e.name(), e.family(),
            e.reference(), f.parameters(), gmacs);
        case "markdown" -> System.out.printf(Locale.ROOT, "| `%s` | %s | `%s` | %,d | %s |%n", e.name(), e.family(),
            e.reference(), f.parameters(), gmacs);
        default -> System.out.printf(Locale.ROOT,
            "  {\"name\": \"%s\", \"family\": \"%s\", \"reference\": \"%s\", \"parameters\": %d, \"gmacs\": %s}%s%n",
            e.name(), e.family(), e.reference(), f.parameters(), gmacs, i + 1 < entries.size() ? "," : "");
      }
      System.out.flush();
    }
    if (format.equals("json")) {
      System.out.println("]");
    }
    return 0;
  }
}
