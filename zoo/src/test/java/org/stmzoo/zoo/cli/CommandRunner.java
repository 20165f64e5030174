package org.stmzoo.zoo.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** Runs one command object directly (so a test can give it its own environment) and captures its stdout. */
final class CommandRunner {
  private CommandRunner() {}

  /** The command's standard output; it must succeed (exit 0), and its exceptions propagate to the test. */
  static String run(Command command, String... args) throws Exception {
    PrintStream original = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      assertThat(command.run(CliArgs.parse(command.options(), args))).isZero();
    } finally {
      System.setOut(original);
    }
    return captured.toString(StandardCharsets.UTF_8);
  }
}
