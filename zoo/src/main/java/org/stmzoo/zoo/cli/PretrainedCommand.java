package org.stmzoo.zoo.cli;

import java.io.IOException;
import java.util.Locale;
import java.util.Map;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;
import org.stmzoo.zoo.api.Catalogue;
import org.stmzoo.zoo.api.Downloads;
import org.stmzoo.zoo.api.ReleaseInfo;

/**
 * {@code pretrained list}: the published weights stmzoo can download, with accuracy, size, how they are verified,
 * licence and cache state; then the variants that have none, with the reason.
 */
final class PretrainedCommand implements Command {
  private final Map<String, String> env;

  PretrainedCommand() {
    this(System.getenv());
  }

  /** @param env the environment (STMZOO_HOME, STMZOO_MANIFEST) */
  PretrainedCommand(Map<String, String> env) {
    this.env = env;
  }

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
  public int run(CommandLine line) throws IOException {
    if (line.getArgList().size() != 1 || !line.getArgList().get(0).equals("list")) {
      throw new UsageException("usage: pretrained list");
    }
    Downloads downloads = new Downloads(env, false, null);
    String row = "%-28s %-22s %6s %10s  %-24s %-11s %-6s %s%n";
    System.out.printf(row, "TAG", "MODEL", "TOP-1", "SIZE", "CHECKSUM", "LICENCE", "CACHED", "FILE");
    for (ReleaseInfo r : Catalogue.releases(downloads)) {
      System.out.printf(Locale.ROOT, row, r.tag(), r.model(), String.format(Locale.ROOT, "%.1f", r.top1()),
          r.size() == null ? "?" : String.format(Locale.ROOT, "%.1f MiB", r.size() / (double) (1 << 20)),
          checksum(r.checksums()), r.licence() == null ? "?" : r.licence(), r.cached() ? "yes" : "no",
          r.file().getFileName());
    }
    Map<String, String> unpublished = Catalogue.unpublished();
    if (!unpublished.isEmpty()) {
      System.out.println();
      System.out.println("no published weights:");
      unpublished.forEach((model, why) -> System.out.printf("  %-26s %s%n", model, why));
    }
    System.out.println();
    System.out.println("checksums: sha256 = published; prefix = the file name's SHA-256 prefix (torch.hub);"
        + " pinned = recorded at the first download in " + downloads.pinFile() + "; unverified = not downloaded yet,"
        + " pinned on first use");
    return 0;
  }

  /** The CHECKSUM column: what the file is checked against, the strongest first. */
  private static String checksum(ReleaseInfo.Checksums c) {
    if (c.sha256() != null) {
      return "sha256 " + c.sha256().substring(0, 12);
    }
    if (c.sha256Prefix() != null) {
      return "prefix " + c.sha256Prefix() + (c.pinnedSha256() == null ? "" : ", pinned");
    }
    return c.pinnedSha256() != null ? "pinned " + c.pinnedSha256().substring(0, 12) : "unverified";
  }
}
