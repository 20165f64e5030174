package org.stmzoo.zoo.cli;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.stmzoo.recipes.parallel.Cluster;
import org.stmzoo.zoo.api.Parallelism;

/** Multi-process training flags ({@code --cluster}, {@code --task-index}, {@code --cluster-timeout}) or TF_CONFIG. */
final class ClusterArguments {
  static final int DEFAULT_TIMEOUT_SECONDS = (int) Parallelism.DEFAULT_TIMEOUT.toSeconds();

  private ClusterArguments() {}

  static Options add(Options options) {
    return options
        .addOption(Option.builder().longOpt("cluster").hasArg().argName("HOST:PORT,...")
            .desc("train data-parallel over these processes, one per address, task 0 the chief (default: the"
                + " TF_CONFIG environment variable, as Kubeflow's TFJob sets it)").build())
        .addOption(Option.builder().longOpt("task-index").hasArg().argName("I")
            .desc("this process's task in --cluster").build())
        .addOption(Option.builder().longOpt("cluster-timeout").hasArg().argName("SECONDS")
            .desc("how long a task waits for another (startup, a step, a silent chief) before it stops with an"
                + " error (default " + DEFAULT_TIMEOUT_SECONDS + ")").build());
  }

  /** The cluster of this process, if it is one of several. */
  static Optional<Cluster> parse(CommandLine line, Map<String, String> env) {
    Optional<Cluster> cluster = cluster(line, env);
    CliArgs.appliesOnlyTo(line, "a cluster (--cluster or TF_CONFIG)", cluster.isPresent(), "cluster-timeout");
    return cluster;
  }

  private static Optional<Cluster> cluster(CommandLine line, Map<String, String> env) {
    try {
      if (line.hasOption("cluster")) {
        if (!line.hasOption("task-index")) {
          throw new UsageException("--cluster needs --task-index");
        }
        return Optional.of(Cluster.of(line.getOptionValue("cluster"), CliArgs.nonNegativeInt(line, "task-index", 0)));
      }
      if (line.hasOption("task-index")) {
        throw new UsageException("--task-index needs --cluster");
      }
      return Cluster.fromTfConfig(env.get("TF_CONFIG"));
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
  }

  static Duration timeout(CommandLine line) {
    return Duration.ofSeconds(CliArgs.positiveInt(line, "cluster-timeout", DEFAULT_TIMEOUT_SECONDS));
  }
}
