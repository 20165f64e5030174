package org.stmzoo.zoo.cli;

import java.nio.file.Path;
import java.util.Map;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.stmzoo.zoo.pretrained.Downloader;
import org.stmzoo.zoo.pretrained.PretrainedManifest;
import org.stmzoo.zoo.pretrained.WeightCache;
import org.stmzoo.zoo.registry.ModelRegistry;

/**
 * {@code download TAG [--sha256 HEX]}: fetches published weights into {@code $STMZOO_HOME} (resumable, verified
 * against the published checksum, the file name's prefix or the pin of the first download).
 */
final class DownloadCommand implements Command {
  private final Map<String, String> env;

  DownloadCommand() {
    this(System.getenv());
  }

  /** @param env the environment (STMZOO_HOME, STMZOO_OFFLINE, STMZOO_MIRROR, STMZOO_MANIFEST) */
  DownloadCommand(Map<String, String> env) {
    this.env = env;
  }

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
    return DownloadArguments.add(new Options())
        .addOption(Option.builder().longOpt("sha256").hasArg().argName("HEX")
            .desc("accept the file with this SHA-256 (replaces the pin of a file upstream has re-published)")
            .build());
  }

  @Override
  public int run(CommandLine line) throws Exception {
    if (line.getArgList().size() != 1) {
      throw new UsageException("give one pretrained tag (see ./stmzoo pretrained list)");
    }
    PretrainedManifest.Entry entry = ModelRegistry.pretrained(env).get(line.getArgList().get(0));
    WeightCache cache = DownloadArguments.parse(line, env).cache();
    Downloader downloader = new Downloader(cache, System.err);
    String accepted = line.getOptionValue("sha256");
    if (accepted != null) {
      try {
        downloader.expected(entry, accepted); // the value checked before any download: not hex, or not replaceable
      } catch (IllegalArgumentException e) {
        throw new UsageException(e.getMessage());
      }
    }
    Path file = downloader.fetch(entry, accepted);
    Downloader.Expected checked = downloader.expected(entry, accepted);
    System.out.println(file + " (" + (checked.sha256() != null ? "SHA-256 matches the " + checked.origin()
        : "SHA-256 pinned in " + cache.lock().file()) + ")");
    return 0;
  }
}
