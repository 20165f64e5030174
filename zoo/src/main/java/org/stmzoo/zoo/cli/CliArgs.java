package org.stmzoo.zoo.cli;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.DefaultParser;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.apache.commons.cli.ParseException;

/** Parsing of option values shared by the commands; bad values are usage errors. */
final class CliArgs {
  private CliArgs() {}

  /**
   * {@code args} parsed against {@code options}. An option that takes one value, given more than once, is a usage
   * error: Commons CLI would keep the first value and silently drop the rest, so {@code --epochs 1 --epochs 0} ran
   * one epoch. Options declared with several values ({@link Option#hasArgs()}) may repeat; a repeated switch
   * without a value means the same as one.
   */
  static CommandLine parse(Options options, String[] args) throws ParseException {
    CommandLine line = new DefaultParser().parse(options, args);
    Set<String> given = new HashSet<>();
    for (Option option : line.getOptions()) { // one entry per occurrence on the command line
      if (option.getArgs() == 1 && !given.add(option.getKey())) {
        throw new UsageException(flag(option) + " given more than once (it takes one value)");
      }
    }
    return line;
  }

  private static String flag(Option option) {
    return option.getLongOpt() != null ? "--" + option.getLongOpt() : "-" + option.getOpt();
  }

  static int positiveInt(CommandLine line, String option, int fallback) {
    return atLeast(line, option, fallback, 1, "a positive integer");
  }

  static int nonNegativeInt(CommandLine line, String option, int fallback) {
    return atLeast(line, option, fallback, 0, "a non-negative integer");
  }

  /** timm's {@code --crop-pct}: evaluation resizes to size / crop-pct, then center-crops. */
  static Option cropPctOption(String fallback) {
    return Option.builder().longOpt("crop-pct").hasArg().argName("F")
        .desc("evaluation crop fraction in (0, 1]: resize to size / F, center-crop size (default " + fallback + ")")
        .build();
  }

  /** The {@code --crop-pct} value, or {@code fallback} without the flag. */
  static float cropPct(CommandLine line, float fallback) {
    return fraction(line, "crop-pct", fallback);
  }

  /** A fraction in (0, 1], or {@code fallback} without the flag. */
  static float fraction(CommandLine line, String option, float fallback) {
    return line.hasOption(option) ? (float) fraction(option, line.getOptionValue(option), false) : fallback;
  }

  /**
   * Refuses flags that would be accepted and then ignored: the first of {@code options} given although
   * {@code applies} is false is the usage error {@code --OPTION applies only to WHERE}.
   */
  static void appliesOnlyTo(CommandLine line, String where, boolean applies, String... options) {
    if (applies) {
      return;
    }
    for (String option : options) {
      if (line.hasOption(option)) {
        throw new UsageException("--" + option + " applies only to " + where);
      }
    }
  }

  /** {@code value} of {@code --option} as a fraction in (0, 1], or in (0, 1) where {@code belowOne}. */
  static double fraction(String option, String value, boolean belowOne) {
    try {
      double f = Double.parseDouble(value.trim());
      if (f > 0 && (belowOne ? f < 1 : f <= 1)) { // false for NaN
        return f;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new UsageException("--" + option + " must be a number in (0, 1" + (belowOne ? ")" : "]") + ", got '"
        + value + "'");
  }

  /** {@code value} of {@code --option} as a finite number: words, NaN and infinities are usage errors. */
  static double finiteNumber(String option, String value) {
    try {
      double d = Double.parseDouble(value.trim());
      if (Double.isFinite(d)) {
        return d;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new UsageException("--" + option + " must be a finite number, got '" + value + "'");
  }

  /** The flag's finite number in [min, maxExclusive), or null without the flag. */
  static Float numberBelow(CommandLine line, String option, double min, double maxExclusive) {
    if (!line.hasOption(option)) {
      return null;
    }
    String value = line.getOptionValue(option);
    double d = finiteNumber(option, value);
    if (d < min || d >= maxExclusive) {
      throw new UsageException("--" + option + " must be in [" + fmt(min) + ", " + fmt(maxExclusive) + "), got '"
          + value + "'");
    }
    return (float) d;
  }

  /** {@code value} of {@code --option} as a whole number in int's range: 2.7 or 1e3 is a usage error, not cut. */
  static int wholeInt(String option, String value) {
    try {
      return Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      throw new UsageException("--" + option + " must be a whole number, got '" + value + "'");
    }
  }

  /** {@code value} of {@code --option} as a whole number in long's range. */
  static long wholeLong(String option, String value) {
    try {
      return Long.parseLong(value.trim());
    } catch (NumberFormatException e) {
      throw new UsageException("--" + option + " must be a whole number, got '" + value + "'");
    }
  }

  private static String fmt(double d) {
    return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
  }

  /**
   * The class names in {@code file}, a UTF-8 text file given to {@code --option}: one per line, stripped, blank
   * lines left out; a file in another encoding is named (the JDK's own message is only "Input length = 1").
   */
  static List<String> nameLines(String option, Path file) throws IOException {
    try {
      return Files.readAllLines(file).stream().map(String::strip).filter(s -> !s.isEmpty()).toList();
    } catch (CharacterCodingException e) {
      throw new IllegalArgumentException(file + ": not UTF-8 text (--" + option + " takes a UTF-8 file, one name per"
          + " line)");
    }
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
