package org.stmzoo.zoo.cli;

import java.util.List;

/** The sub-commands of {@code ./stmzoo}, in the order {@code --help} lists them. */
final class Commands {
  private Commands() {}

  static List<Command> all() {
    return List.of(
        new ListCommand(),
        new DescribeCommand(),
        new BenchmarkCommand(),
        new ImportCommand(),
        new ExportCommand(),
        new PredictCommand(),
        new PretrainedCommand(),
        new DownloadCommand(),
        new TrainCommand(),
        new EvalCommand(),
        new AnalyzeCommand(),
        new QuickstartCommand());
  }
}
