package org.stmzoo.zoo.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.util.Locale;
import java.util.Map;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;
import org.stmzoo.zoo.pretrained.PretrainedManifest;
import org.stmzoo.zoo.pretrained.WeightCache;
import org.stmzoo.zoo.pretrained.WeightLock;
import org.stmzoo.zoo.registry.ModelRegistry;

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
    WeightCache cache = WeightCache.fromEnvironment(env);
    Map<String, WeightLock.Pin> pins = cache.lock().all();
    String row = "%-28s %-22s %6s %10s  %-24s %-11s %-6s %s%n";
    System.out.printf(row, "TAG", "MODEL", "TOP-1", "SIZE", "CHECKSUM", "LICENCE", "CACHED", "FILE");
    for (PretrainedManifest.Entry e : ModelRegistry.pretrained(env).entries()) {
      WeightLock.Pin pin = pins.get(e.file());
      Long size = e.size() != null ? e.size() : pin != null ? Long.valueOf(pin.size()) : null;
      System.out.printf(Locale.ROOT, row, e.tag(), e.model(), String.format(Locale.ROOT, "%.1f", e.top1()),
          size == null ? "?" : String.format(Locale.ROOT, "%.1f MiB", size / (double) (1 << 20)),
          checksum(e, pin), e.licence() == null ? "?" : e.licence(),
          Files.isRegularFile(cache.fileFor(e)) ? "yes" : "no", e.file());
    }
    Map<String, String> unpublished = ModelRegistry.unpublished();
    if (!unpublished.isEmpty()) {
      System.out.println();
      System.out.println("no published weights:");
      unpublished.forEach((model, why) -> System.out.printf("  %-26s %s%n", model, why));
    }
    System.out.println();
    System.out.println("checksums: sha256 = published; prefix = the file name's SHA-256 prefix (torch.hub);"
        + " pinned = recorded at the first download in " + cache.lock().file() + "; unverified = not downloaded yet,"
        + " pinned on first use");
    return 0;
  }

  private static String checksum(PretrainedManifest.Entry e, WeightLock.Pin pin) {
    if (e.sha256() != null) {
      return "sha256 " + e.sha256().substring(0, 12);
    }
    String pinned = pin == null ? null : "pinned " + pin.sha256().substring(0, 12);
    if (e.sha256Prefix() != null) {
      return "prefix " + e.sha256Prefix() + (pin == null ? "" : ", pinned");
    }
    return pinned != null ? pinned : "unverified";
  }
}
