package org.stmzoo.zoo.cli;

import java.util.Map;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.stmzoo.zoo.pretrained.WeightCache;

/** The flags of the commands that fetch published weights: --offline and --mirror, over the STMZOO_* variables. */
final class DownloadArguments {
  private DownloadArguments() {}

  static Options add(Options options) {
    return options
        .addOption(Option.builder().longOpt("offline").desc("use only the cache (also STMZOO_OFFLINE=1)").build())
        .addOption(Option.builder().longOpt("mirror").hasArg().argName("URL")
            .desc("base URL serving the files by name, instead of upstream (also STMZOO_MIRROR)").build());
  }

  /** The cache the environment configures, with the flags on top. */
  static WeightCache cache(CommandLine line, Map<String, String> env) {
    WeightCache cache = WeightCache.fromEnvironment(env);
    if (line.hasOption("offline")) {
      cache = cache.withOffline(true);
    }
    if (line.hasOption("mirror")) {
      cache = cache.withMirror(line.getOptionValue("mirror"));
    }
    return cache;
  }
}
