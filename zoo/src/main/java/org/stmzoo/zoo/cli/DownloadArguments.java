package org.stmzoo.zoo.cli;

import java.util.Map;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.stmzoo.zoo.api.Downloads;

/**
 * The flags of the commands that fetch published weights (export, train, download): --offline and --mirror, over
 * the STMZOO_* variables, parsed into {@link Downloads}.
 */
final class DownloadArguments {
  private DownloadArguments() {}

  static Options add(Options options) {
    return options
        .addOption(Option.builder().longOpt("offline").desc("use only the cache (also STMZOO_OFFLINE=1)").build())
        .addOption(Option.builder().longOpt("mirror").hasArg().argName("URL")
            .desc("base URL serving the files by name, instead of upstream (also STMZOO_MIRROR)").build());
  }

  static Downloads parse(CommandLine line, Map<String, String> env) {
    return new Downloads(env, line.hasOption("offline"), line.getOptionValue("mirror"));
  }
}
