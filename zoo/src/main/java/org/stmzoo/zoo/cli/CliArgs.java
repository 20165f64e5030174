package org.stmzoo.zoo.cli;

import org.apache.commons.cli.CommandLine;

/** Parsing of option values shared by the commands; bad values are usage errors. */
final class CliArgs {
  private CliArgs() {}

  static int positiveInt(CommandLine line, String option, int fallback) {
    if (!line.hasOption(option)) {
      return fallback;
    }
    String value = line.getOptionValue(option);
    try {
      int n = Integer.parseInt(value.trim());
      if (n > 0) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new UsageException("--" + option + " must be a positive integer, got '" + value + "'");
  }
}
