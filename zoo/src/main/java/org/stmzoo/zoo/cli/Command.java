package org.stmzoo.zoo.cli;

import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;

/**
 * One {@code ./stmzoo} sub-command. {@link Main} parses {@link #options()} (plus {@code --help}) and calls
 * {@link #run}. Throw {@link UsageException} for bad arguments (exit 2, message and usage, no stack trace);
 * IllegalArgumentException is reported as a clean error (exit 1) without a stack trace as well.
 */
public interface Command {
  String name();

  /** One line for the command list. */
  String summary();

  /** Positional arguments, for the usage line, e.g. {@code "NAME"}; empty if none. */
  default String positional() {
    return "";
  }

  Options options();

  /** Runs the command; returns the process exit code. */
  int run(CommandLine line) throws Exception;
}
