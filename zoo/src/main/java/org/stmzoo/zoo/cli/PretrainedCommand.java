package org.stmzoo.zoo.cli;

import java.nio.file.Files;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;
import org.stmzoo.zoo.pretrained.PretrainedManifest;
import org.stmzoo.zoo.registry.ModelRegistry;
import org.stmzoo.zoo.pretrained.WeightCache;

/** {@code pretrained list}: the published weights stmzoo can download, with accuracy and cache state. */
final class PretrainedCommand implements Command {
  @Override
  public String name() {
    return "pretrained";
  }

  @Override
  public String summary() {
    return "list the published pretrained weights (tags for download / --pretrained)";
  }

  @Override
  public String positional() {
    return "list";
  }

  @Override
  public Options options() {
    return new Options();
  }

  @Override
  public int run(CommandLine line) {
    if (line.getArgList().size() != 1 || !line.getArgList().get(0).equals("list")) {
      throw new UsageException("usage: pretrained list");
    }
    WeightCache cache = WeightCache.fromEnvironment(System.getenv());
    System.out.printf("%-24s %-20s %6s  %-10s %-6s %s%n", "TAG", "MODEL", "TOP-1", "CHECKSUM", "CACHED", "FILE");
    for (PretrainedManifest.Entry e : ModelRegistry.pretrained(System.getenv()).entries()) {
      System.out.printf("%-24s %-20s %6.1f  %-10s %-6s %s%n", e.tag(), e.model(), e.top1(),
          e.verified() ? "sha256" : "unverified", Files.isRegularFile(cache.fileFor(e)) ? "yes" : "no", e.file());
    }
    return 0;
  }
}
