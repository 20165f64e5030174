package org.stmzoo.zoo.api;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;
import org.stmzoo.zoo.pretrained.Downloader;
import org.stmzoo.zoo.pretrained.PretrainedManifest;
import org.stmzoo.zoo.pretrained.WeightCache;
import org.stmzoo.zoo.registry.ModelEntry;
import org.stmzoo.zoo.registry.ModelRegistry;

/**
 * How published weights are found and fetched: the manifest and cache the variables in {@code env} configure
 * ({@code STMZOO_HOME}, {@code STMZOO_OFFLINE}, {@code STMZOO_MIRROR}, {@code STMZOO_MANIFEST}), with
 * {@code offline} and {@code mirror} on top.
 *
 * @param env the environment's variables; only those named {@code STMZOO_...} are kept
 * @param mirror a base URL serving the files by name, or null for the environment's choice
 */
public record Downloads(Map<String, String> env, boolean offline, String mirror) {
  /** What the variables stmzoo reads begin with. */
  private static final String VARIABLE_PREFIX = "STMZOO_";

  /** A release of the manifest and the registered model it holds weights for. */
  public record Release(PretrainedManifest.Entry entry, ModelEntry model) {}

  public Downloads {
    Objects.requireNonNull(env, "Downloads.env");
    // only stmzoo's own variables: the rest of a process environment (tokens, passwords) has no business in a spec
    // that is printed and logged
    env = env.entrySet().stream().filter(e -> e.getKey() != null && e.getKey().startsWith(VARIABLE_PREFIX))
        .collect(Collectors.toUnmodifiableMap(Map.Entry::getKey, Map.Entry::getValue));
  }

  /** As the process environment configures them. */
  public static Downloads fromEnvironment() {
    return new Downloads(System.getenv(), false, null);
  }

  public Downloads withOffline(boolean value) {
    return new Downloads(env, value, mirror);
  }

  public Downloads withMirror(String url) {
    return new Downloads(env, offline, url);
  }

  /** The cache the environment configures, with {@code offline} and {@code mirror} on top. */
  public WeightCache cache() {
    WeightCache cache = WeightCache.fromEnvironment(env);
    if (offline) {
      cache = cache.withOffline(true);
    }
    if (mirror != null) {
      cache = cache.withMirror(mirror);
    }
    return cache;
  }

  /**
   * The release {@code tag} names: a full tag of the manifest, or with {@code model} (non-null) that model's
   * release with this suffix (e.g. {@code in1k}).
   */
  public Release release(String model, String tag) {
    PretrainedManifest manifest = ModelRegistry.pretrained(env);
    PretrainedManifest.Entry release = model != null
        ? manifest.forModel(ModelRegistry.get(model).name(), tag) : manifest.get(tag);
    return new Release(release, ModelRegistry.get(release.model()));
  }

  /** The release's file from the cache, downloaded first unless it is there. */
  public Path fetch(Release release, PrintStream progress) throws IOException {
    return new Downloader(cache(), progress).fetch(release.entry());
  }

  /** The file where the checksums of weights published without one are pinned at their first download. */
  public Path pinFile() {
    return cache().lock().file();
  }

  /**
   * Why {@link #download} would refuse {@code acceptSha256} for the release {@code tag}, found without downloading
   * anything: not 64 hex digits, or given for a release whose SHA-256 is published (which it cannot replace); empty
   * when it would not, or for a null {@code acceptSha256}. An unknown tag is an {@link IllegalArgumentException}.
   */
  public Optional<String> sha256Refusal(String tag, String acceptSha256) throws IOException {
    return sha256Refusal(tag, acceptSha256, null);
  }

  /**
   * As {@link #sha256Refusal(String, String)}, naming {@code acceptSha256} as the command-line {@code flag} it came
   * in through (e.g. {@code --sha256}), or as {@code acceptSha256} for a null flag.
   */
  public Optional<String> sha256Refusal(String tag, String acceptSha256, String flag) throws IOException {
    Objects.requireNonNull(tag, "tag");
    PretrainedManifest.Entry entry = ModelRegistry.pretrained(env).get(tag);
    if (acceptSha256 == null) {
      return Optional.empty();
    }
    try {
      downloader(flag, null).expected(entry, acceptSha256);
      return Optional.empty();
    } catch (IllegalArgumentException e) {
      return Optional.of(e.getMessage());
    }
  }

  /**
   * The file of the release {@code tag} names (a full tag of the manifest), downloaded into the cache unless it is
   * there and verified: what {@code ./stmzoo download TAG [--sha256 HEX]} does. {@code acceptSha256}, when not
   * null, is a SHA-256 the caller vouches for: the file must have it, and it replaces the file's pin (a file upstream
   * has re-published); one it refuses ({@link #sha256Refusal}) is an
   * {@link IllegalArgumentException} before anything is downloaded. {@code progress} hears the download (null: no
   * progress shown).
   */
  public FetchedWeights download(String tag, String acceptSha256, PrintStream progress) throws IOException {
    return download(tag, acceptSha256, null, progress);
  }

  /**
   * As {@link #download(String, String, PrintStream)}, with messages naming {@code acceptSha256} as the
   * command-line {@code flag} it came in through (e.g. {@code --sha256}), or as {@code acceptSha256} for a null flag.
   */
  public FetchedWeights download(String tag, String acceptSha256, String flag, PrintStream progress)
      throws IOException {
    Objects.requireNonNull(tag, "tag");
    PretrainedManifest.Entry entry = ModelRegistry.pretrained(env).get(tag);
    Downloader downloader = downloader(flag, progress);
    // what the file is checked against, asked before the fetch: a first download pins what it fetched, and the
    // pin asked for afterwards would be the file compared with itself
    Downloader.Expected known = downloader.expected(entry, acceptSha256); // refuses a bad acceptSha256 first
    // a file put into the cache by hand (the offline route) is pinned at its first use, not downloaded
    boolean inCache = Files.isRegularFile(cache().fileFor(entry));
    Path file = downloader.fetch(entry, acceptSha256);
    if (known.sha256() != null) {
      return new FetchedWeights(file, known.sha256(), "SHA-256 matches the " + known.origin());
    }
    Downloader.Expected pinned = downloader.expected(entry, null); // the pin this fetch made
    // SHA-256 pinned on <when> in <pin file> by this download / at its first use
    String pin = pinned.origin() + (inCache ? " at its first use (the file was in the cache, not downloaded)"
        : " by this download");
    return new FetchedWeights(file, pinned.sha256(), known.prefix() != null
        ? "SHA-256 starts with the file name's " + known.prefix() + ", no published SHA-256: " + pin
        : "no published SHA-256: " + pin);
  }

  private Downloader downloader(String flag, PrintStream progress) {
    return new Downloader(cache(), progress).vouchedAs(flag != null ? Downloader.Vouched.flag(flag)
        : new Downloader.Vouched("acceptSha256", "SHA-256 the caller vouched for"));
  }
}
