package org.stmzoo.zoo.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.stmzoo.zoo.pretrained.Downloader;
import org.stmzoo.zoo.pretrained.PretrainedManifest;
import org.stmzoo.zoo.pretrained.WeightCache;
import org.stmzoo.zoo.registry.ModelEntry;
import org.stmzoo.zoo.registry.ModelRegistry;

/**
 * The flags of the commands that fetch published weights (export, train): {@code --pretrained TAG} with
 * --offline and --mirror, over the STMZOO_* variables.
 */
final class DownloadArguments {
  /** A release of the manifest and the registered model it holds weights for. */
  record Release(PretrainedManifest.Entry entry, ModelEntry model) {}

  private DownloadArguments() {}

  /**
   * The release {@code --pretrained} names: a full tag of the manifest, or with {@code --model NAME} that model's
   * release with this suffix (e.g. {@code in1k}).
   */
  static Release release(CommandLine line, Map<String, String> env) {
    PretrainedManifest manifest = ModelRegistry.pretrained(env);
    String tag = line.getOptionValue("pretrained");
    PretrainedManifest.Entry release = line.hasOption("model")
        ? manifest.forModel(ModelRegistry.get(line.getOptionValue("model")).name(), tag) : manifest.get(tag);
    return new Release(release, ModelRegistry.get(release.model()));
  }

  /** The release's file from the cache, downloaded first unless it is there (progress on stderr). */
  static Path fetch(CommandLine line, Map<String, String> env, Release release) throws IOException {
    return new Downloader(cache(line, env), System.err).fetch(release.entry());
  }

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
