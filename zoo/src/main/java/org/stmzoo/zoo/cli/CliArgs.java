package org.stmzoo.zoo.cli;

import org.apache.commons.cli.CommandLine;

/** Parsing of option values shared by the commands; bad values are usage errors. */
final class CliArgs {
  private CliArgs() {}

  static int positiveInt(CommandLine line, String option, int fallback) {
    return atLeast(line, option, fallback, 1, "a positive integer");
  }

  static int nonNegativeInt(CommandLine line, String option, int fallback) {
    return atLeast(line, option, fallback, 0, "a non-negative integer");
  }

  private static int atLeast(CommandLine line, String option, int fallback, int min, String what) {
    if (!line.hasOption(option)) {
      return fallback;
    }
    String value = line.getOptionValue(option);
    try {
      int n = Integer.parseInt(value.trim());
      if (n >= min) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new UsageException("--" + option + " must be " + what + ", got '" + value + "'");
  }
}
