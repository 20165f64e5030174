package org.stmzoo.zoo.cli;

import java.util.Map;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.stmzoo.zoo.api.Downloads;
import org.stmzoo.zoo.api.FetchedWeights;

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
    String tag = line.getArgList().get(0);
    Downloads downloads = DownloadArguments.parse(line, env);
    String accepted = line.getOptionValue("sha256");
    // a value that is not hex, or not replaceable, is a bad flag value: said before any download
    downloads.sha256Refusal(tag, accepted, "--sha256").ifPresent(refusal -> {
      throw new UsageException(refusal);
    });
    FetchedWeights fetched = downloads.download(tag, accepted, "--sha256", System.err);
    System.out.println(fetched.file() + " (" + fetched.verification() + ")");
    return 0;
  }
}
