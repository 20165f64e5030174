package org.stmzoo.zoo.cli;

import java.nio.file.Path;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;
import org.stmzoo.zoo.pretrained.Downloader;
import org.stmzoo.zoo.pretrained.PretrainedManifest;
import org.stmzoo.zoo.registry.ModelRegistry;

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
    return DownloadArguments.add(new Options());
  }

  @Override
  public int run(CommandLine line) throws Exception {
    if (line.getArgList().size() != 1) {
      throw new UsageException("give one pretrained tag (see ./stmzoo pretrained list)");
    }
    PretrainedManifest.Entry entry = ModelRegistry.pretrained(System.getenv()).get(line.getArgList().get(0));
    Path file = new Downloader(DownloadArguments.parse(line, System.getenv()).cache(), System.err).fetch(entry);
    System.out.println(file + (entry.verified() ? " (SHA-256 verified)" : " (unverified: no known SHA-256)"));
    return 0;
  }
}
