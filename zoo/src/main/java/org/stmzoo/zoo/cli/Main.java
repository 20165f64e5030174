package org.stmzoo.zoo.cli;

import java.io.PrintWriter;
import java.util.Arrays;
import java.util.List;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.HelpFormatter;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.apache.commons.cli.ParseException;

/** {@code ./stmzoo COMMAND [options]}. Exit codes: 0 success, 1 error, 2 usage error. */
public final class Main {
  public static final int USAGE = 2;

  private Main() {}

  public static void main(String[] args) {
    // nothing native here: help, usage errors and a platform without TF's natives all end in run's one line
    System.exit(run(args));
  }

  public static int run(String[] args) {
    return run(Commands.all(), args);
  }

  /** {@link #run(String[])} over {@code commands}. */
  static int run(List<Command> commands, String[] args) {
    if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h") || args[0].equals("help")) {
      printCommands(commands);
      return args.length == 0 ? USAGE : 0;
    }
    Command command = commands.stream().filter(c -> c.name().equals(args[0])).findFirst().orElse(null);
    if (command == null) {
      System.err.println("error: unknown command '" + args[0] + "'");
      printCommands(commands);
      return USAGE;
    }
    Options options = command.options();
    options.addOption(Option.builder("h").longOpt("help").desc("show this help").build());
    String[] rest = Arrays.copyOfRange(args, 1, args.length);
    if (Arrays.asList(rest).contains("--help") || Arrays.asList(rest).contains("-h")) {
      // before parsing, so that a command with required options still shows its help
      printUsage(command, options);
      return 0;
    }
    try {
      CommandLine line = CliArgs.parse(options, rest);
      return command.run(line);
    } catch (ParseException | UsageException e) {
      System.err.println("error: " + e.getMessage());
      printUsage(command, options);
      return USAGE;
    } catch (Exception | LinkageError | OutOfMemoryError | StackOverflowError e) {
      // LinkageError: TF's natives missing for this platform (UnsatisfiedLinkError), or a class whose loading
      // failed earlier (NoClassDefFoundError, ExceptionInInitializerError)
      // one line, whatever failed: our messages as written, library ones reduced (ErrorLine)
      System.err.println("error: " + ErrorLine.of(e));
      if (System.getenv("STMZOO_DEBUG") != null && !System.getenv("STMZOO_DEBUG").equals("0")) {
        e.printStackTrace();
      }
      return 1;
    }
  }

  private static void printCommands(List<Command> commands) {
    System.out.println("usage: ./stmzoo COMMAND [options]   (./stmzoo COMMAND --help for a command's options)");
    System.out.println();
    System.out.println("commands:");
    for (Command c : commands) {
      System.out.printf("  %-12s %s%n", c.name(), c.summary());
    }
  }

  static void printUsage(Command command, Options options) {
    HelpFormatter formatter = new HelpFormatter();
    PrintWriter out = new PrintWriter(System.out, true);
    String syntax = "./stmzoo " + command.name() + (command.positional().isEmpty() ? "" : " " + command.positional());
    formatter.printHelp(out, 100, syntax, command.summary(), options, 2, 2, "", true);
    out.flush();
  }
}
