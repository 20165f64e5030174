package org.stmzoo.zoo.cli;

import java.nio.file.Path;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.stmzoo.zoo.pretrained.Downloader;
import org.stmzoo.zoo.pretrained.PretrainedManifest;
import org.stmzoo.zoo.pretrained.WeightCache;

/** {@code download TAG}: fetches published weights into {@code $STMZOO_HOME} (resumable, verified). */
final class DownloadCommand implements Command {
  @Override
  public String name() {
    return "download";
  }

  @Override
  public String summary() {
    return "download published weights into $STMZOO_HOME (default ~/.cache/stmzoo), verified and resumable";
  }

  @Override
  public String positional() {
    return "TAG";
  }

  @Override
  public Options options() {
    return new Options()
        .addOption(Option.builder().longOpt("offline").desc("use only the cache (also STMZOO_OFFLINE=1)").build())
        .addOption(Option.builder().longOpt("mirror").hasArg().argName("URL")
            .desc("base URL serving the files by name, instead of upstream (also STMZOO_MIRROR)").build());
  }

  @Override
  public int run(CommandLine line) throws Exception {
    if (line.getArgList().size() != 1) {
      throw new UsageException("give one pretrained tag (see ./stmzoo pretrained list)");
    }
    PretrainedManifest.Entry entry = PretrainedManifest.builtIn().get(line.getArgList().get(0));
    WeightCache cache = WeightCache.fromEnvironment(System.getenv());
    if (line.hasOption("offline")) {
      cache = cache.withOffline(true);
    }
    if (line.hasOption("mirror")) {
      cache = cache.withMirror(line.getOptionValue("mirror"));
    }
    Path file = new Downloader(cache, System.err).fetch(entry);
    System.out.println(file + (entry.verified() ? " (SHA-256 verified)" : " (unverified: no known SHA-256)"));
    return 0;
  }
}
