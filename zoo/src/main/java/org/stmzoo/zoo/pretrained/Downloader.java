package org.stmzoo.zoo.pretrained;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.DelegatingProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.stmzoo.datasets.download.DownloadFailedException;
import org.stmzoo.datasets.download.FileMutex;
import org.stmzoo.datasets.download.HttpTransfer;
import org.stmzoo.datasets.download.TransferLimits;
import org.stmzoo.layers.io.DurableFiles;
import org.stmzoo.layers.io.Sha256;

/**
 * Fetches a manifest entry into the cache. The bytes go to {@code FILE.part}, which is renamed to {@code FILE}
 * only once complete and verified against a checksum: the published SHA-256, the prefix the file name carries,
 * and the pin of the cache's {@link WeightLock}; a file with no checksum at all is pinned by its first complete
 * download, complete as the server's length says, or, where it sent none, as its answer to a request for the
 * bytes past the end confirms. A {@code .part} left by a cut connection is resumed with a Range request: when a
 * checksum will judge the result, or when the server confirms (If-Range) that the source is still the one the
 * {@code .part} came from; a resumed file that fails its checksum is fetched once more from zero, never promoted.
 * Transfers are bounded: read timeout, stall window, and a size cap (the published or pinned size, else
 * {@link #DEFAULT_MAX_BYTES}).
 */
public final class Downloader {
  /** Larger than any published release (the biggest are ~350 MB); caps a file of unknown size. */
  public static final long DEFAULT_MAX_BYTES = 2L << 30;

  /** What a user without network, or with a broken upstream, can do instead. */
  public static final String REMEDY = "use --offline with a cached copy (download it elsewhere and copy it into"
      + " $STMZOO_HOME/weights), a mirror (--mirror URL or STMZOO_MIRROR serving the files by name, or"
      + " STMZOO_MANIFEST naming other URLs), or a local file (./stmzoo import --checkpoint FILE)";

  private final WeightCache cache;
  private final PrintStream progress;
  private final HttpTransfer http;
  private final WeightLock lock;
  private final long maxBytes;
  private final Vouched vouched;

  /**
   * How messages name a SHA-256 the caller vouches for: the flag it came in through on the command line, or the
   * argument it was passed as from Java, so that each reader sees their own words.
   *
   * @param name what was given, e.g. {@code --sha256}
   * @param origin where the SHA-256 comes from, after "matches the" / "not the", e.g.
   *     {@code SHA-256 given with --sha256}
   */
  public record Vouched(String name, String origin) {
    /** {@code ./stmzoo download --sha256}. */
    public static final Vouched FLAG = flag("--sha256");

    /** A SHA-256 given with the command-line flag {@code flag}. */
    public static Vouched flag(String flag) {
      return new Vouched(flag, "SHA-256 given with " + flag);
    }

    public Vouched {
      java.util.Objects.requireNonNull(name, "Vouched.name");
      java.util.Objects.requireNonNull(origin, "Vouched.origin");
    }
  }

  /** @param progress where the progress bar goes (stderr), or null for none */
  public Downloader(WeightCache cache, PrintStream progress) {
    this(cache, progress, TransferLimits.defaults(), DEFAULT_MAX_BYTES);
  }

  public Downloader(WeightCache cache, PrintStream progress, TransferLimits limits, long maxBytes) {
    this(cache, progress, limits, maxBytes, Vouched.FLAG);
  }

  private Downloader(WeightCache cache, PrintStream progress, TransferLimits limits, long maxBytes,
      Vouched vouched) {
    this.vouched = vouched;
    this.cache = cache;
    this.progress = progress;
    this.http = new HttpTransfer(limits);
    this.lock = cache.lock();
    this.maxBytes = maxBytes;
  }

  /** This downloader with messages naming a vouched SHA-256 as {@code words} say (the flag's words otherwise). */
  public Downloader vouchedAs(Vouched words) {
    return new Downloader(cache, progress, http.limits(), maxBytes, java.util.Objects.requireNonNull(words, "words"));
  }

  /** The cached file of {@code entry}, downloading it first unless it is already there (and verified). */
  public Path fetch(PretrainedManifest.Entry entry) throws IOException {
    return fetch(entry, null);
  }

  /**
   * As {@link #fetch(PretrainedManifest.Entry)}; {@code acceptSha256}, when given, is a SHA-256 the user vouches
   * for ({@code download --sha256}): the file must have it, and it replaces the file's pin.
   */
  public Path fetch(PretrainedManifest.Entry entry, String acceptSha256) throws IOException {
    Expected expected = expected(entry, acceptSha256);
    Path target = cache.fileFor(entry);
    // a cached file only ever appears whole (renamed into place), so a good one is used without the lock; one that
    // fails its check is judged again under the lock before it is moved aside or deleted: another process may be
    // putting a copy back and re-pinning it. --sha256 takes the lock in any case: it may put a copy moved aside
    // back, and deletes those copies once it accepts a file
    Path cached = acceptSha256 == null ? cached(entry, target, null, false) : null;
    if (cached != null) {
      return cached;
    }
    // the copy a failed check moved aside, which --sha256 with its checksum puts back: no network needed
    Path rejected = acceptSha256 != null ? rejected(target, expected.sha256()) : null;
    if (cache.offline() && !Files.isRegularFile(target) && (rejected == null || !Files.isRegularFile(rejected))) {
      throw notCached(entry, target);
    }
    Files.createDirectories(target.getParent());
    // one download of a file at a time, across processes sharing the cache: they would write the same .part
    try (FileMutex held = FileMutex.beside(target,
        file -> say("waiting for another download of " + target.getFileName() + " (" + file + ")"))) {
      if (rejected != null && Files.isRegularFile(rejected) && !Files.isRegularFile(target)) {
        Files.move(rejected, target, StandardCopyOption.ATOMIC_MOVE); // then checked as any cached file
        DurableFiles.syncDirectory(target.getParent()); // before the pin that follows
      }
      cached = cached(entry, target, acceptSha256, true); // or fetched while this waited
      if (cached != null) {
        if (acceptSha256 != null) {
          deleteRejected(target); // accepted: the copies refused before are not wanted any more
        }
        return cached;
      }
      if (cache.offline()) {
        throw notCached(entry, target); // the copy moved aside went away while this waited
      }
      return download(entry, expected, target, acceptSha256);
    }
  }

  private static IllegalArgumentException notCached(PretrainedManifest.Entry entry, Path target) {
    return new IllegalArgumentException(entry.tag() + " is not in the cache (" + target + ") and downloads are off"
        + " (--offline / STMZOO_OFFLINE=1; from Java, Downloads.withOffline(true)); download it where there is network"
        + " (./stmzoo download " + entry.tag() + "; Downloads.download) and copy it there, or import a local file"
        + " (./stmzoo import --checkpoint FILE; WeightImport.run)");
  }

  /**
   * {@code FILE.rejected-HEX}: where a cached file that failed its pin is kept, named by the first 16 digits of its
   * SHA-256, so that {@code download TAG --sha256 SHA256} finds it again, offline too.
   */
  static Path rejected(Path target, String sha256) {
    return target.resolveSibling(target.getFileName() + ".rejected-" + sha256.substring(0, 16));
  }

  /** Deletes the copies of {@code target} moved aside ({@link #rejected}), but {@code keep} (null for none). */
  private static void deleteRejected(Path target, Path keep) throws IOException {
    String prefix = target.getFileName() + ".rejected-";
    List<Path> copies;
    try (var files = Files.list(target.getParent())) {
      copies = files.filter(f -> f.getFileName().toString().startsWith(prefix) && !f.equals(keep)).toList();
    }
    for (Path copy : copies) {
      Files.deleteIfExists(copy);
    }
  }

  private static void deleteRejected(Path target) throws IOException {
    deleteRejected(target, null);
  }

  /**
   * The file already in the cache, checked against what it must be now (a download this waited for may just have
   * pinned it), or null if there is none: refused when it is not the file. Where the mismatch is with a pin, which
   * --sha256 can replace, it is moved aside (not deleted: it may be the only copy, offline, of a file upstream
   * re-published), replacing any copy moved aside before; a mismatch with a checksum --sha256 cannot replace (the
   * published SHA-256, size or file-name prefix) deletes it, and one with the user's --sha256 keeps it in place.
   * Without the file's lock ({@code locked} false) it only reads: a file that fails its check is null, for the
   * caller to judge again under the lock.
   */
  private Path cached(PretrainedManifest.Entry entry, Path target, String acceptSha256, boolean locked)
      throws IOException {
    if (!Files.isRegularFile(target)) {
      return null;
    }
    Expected expected = expected(entry, acceptSha256);
    Digest digest;
    try {
      digest = Digest.of(target);
    } catch (NoSuchFileException e) {
      return null; // moved aside or deleted under the lock meanwhile
    }
    String problem = expected.mismatch(digest);
    if (problem != null && !locked) {
      return null;
    }
    if (problem != null && acceptSha256 != null) {
      // the user's --sha256 is as likely to be wrong as the file: keep the file
      throw new IllegalArgumentException(entry.tag() + ": the cached " + target + " " + problem
          + "; the file was kept");
    }
    if (problem != null) {
      String remedy = expected.remedy(entry, digest);
      if (remedy.isEmpty()) { // nothing could put it back
        Files.delete(target);
        throw new IOException(entry.tag() + ": the cached " + target + " " + problem + "; it was deleted");
      }
      Path aside = rejected(target, digest.sha256());
      Files.move(target, aside, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      deleteRejected(target, aside); // one copy per file: each corruption would leave another
      throw new IOException(entry.tag() + ": the cached " + target + " " + problem + "; it was moved to " + aside
          + remedy);
    }
    pin(entry, digest, target.toUri().toString(), acceptSha256, "first use of a cached file");
    return target;
  }

  /** Fetches {@code entry} into {@code target} from each of its URLs in turn until one gives the verified file. */
  private Path download(PretrainedManifest.Entry entry, Expected expected, Path target, String acceptSha256)
      throws IOException {
    Path part = target.resolveSibling(target.getFileName() + ".part");
    List<DownloadFailedException> failures = new ArrayList<>();
    for (String url : partSourceFirst(urls(entry), part)) {
      try {
        Digest digest = download(URI.create(url), part, entry, expected, true);
        // on disk before the rename, and the rename before the pin: a power loss must not leave an empty or
        // partial FILE, nor a pin of a file the cache does not hold
        DurableFiles.syncFile(part);
        Files.move(part, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        DurableFiles.syncDirectory(target.getParent());
        Files.deleteIfExists(sourceOf(part));
        pin(entry, digest, url, acceptSha256, "first download");
        deleteRejected(target); // the verified file is here: the copies refused before are not wanted any more
        return target;
      } catch (DownloadFailedException e) {
        failures.add(e);
      }
    }
    String kept = "";
    if (resumes(part, partSourceFirst(urls(entry), part).get(0), expected)) {
      kept = " (" + Files.size(part) + " bytes kept in " + part + "; run again to resume)";
    } else { // the next run would start again: keep nothing it would discard
      Files.deleteIfExists(part);
      Files.deleteIfExists(sourceOf(part));
    }
    if (failures.size() == 1) {
      DownloadFailedException only = failures.get(0);
      throw new DownloadFailedException(only.url(), only.reason() + kept, REMEDY, only);
    }
    throw new DownloadFailedException(entry.tag(), String.join("; ", failures.stream()
        .map(f -> f.url() + ": " + f.reason()).toList()) + kept, REMEDY, failures.get(0));
  }

  private void say(String line) {
    if (progress != null) {
      progress.println(line);
    }
  }

  /** The checksum a file of {@code entry} must match, and where it comes from. */
  public Expected expected(PretrainedManifest.Entry entry, String acceptSha256) throws IOException {
    String prefix = entry.sha256Prefix();
    if (acceptSha256 != null) {
      String accepted = acceptSha256.toLowerCase(java.util.Locale.ROOT);
      if (!accepted.matches("[0-9a-f]{64}")) {
        throw new IllegalArgumentException(vouched.name() + " takes 64 hex digits, got '" + acceptSha256 + "'");
      }
      if (entry.sha256() != null && !entry.sha256().equals(accepted)) {
        throw new IllegalArgumentException(entry.tag() + ": its SHA-256 is published (" + entry.sha256()
            + "); " + vouched.name() + " cannot replace it");
      }
      return new Expected(entry.size(), accepted, prefix, vouched.origin(), false);
    }
    if (entry.sha256() != null) {
      return new Expected(entry.size(), entry.sha256(), prefix, "published SHA-256", false);
    }
    Optional<WeightLock.Pin> pin = lock.get(entry.file());
    if (pin.isPresent()) {
      return new Expected(pin.get().size(), pin.get().sha256(), prefix, "SHA-256 pinned on "
          + pin.get().pinnedAt() + " in " + lock.file(), true);
    }
    return new Expected(entry.size(), null, prefix, "published size", false);
  }

  /**
   * What a file must be.
   *
   * @param size bytes, null if unknown
   * @param sha256 the full SHA-256, null if unknown
   * @param prefix leading hex digits of the SHA-256, null if none
   * @param origin where the SHA-256 (or size) comes from, for messages
   * @param pinned whether the SHA-256 is a pin of the lock file
   */
  public record Expected(Long size, String sha256, String prefix, String origin, boolean pinned) {
    /** Whether the content (not only the length) is checked. */
    public boolean checksContent() {
      return sha256 != null || prefix != null;
    }

    /** Whether a file cut short fails the check: a checksum or a size judges it. */
    public boolean judgesLength() {
      return checksContent() || size != null;
    }

    /** Why {@code digest} is not this file, or null when it is; with {@link #remedy} when there is one. */
    String problem(PretrainedManifest.Entry entry, Digest digest) {
      String mismatch = mismatch(digest);
      return mismatch == null ? null : mismatch + remedy(entry, digest);
    }

    /** Why {@code digest} is not this file, or null when it is. */
    String mismatch(Digest digest) {
      if (sha256 != null && !digest.sha256().equals(sha256)) {
        return "has SHA-256 " + digest.sha256() + " (" + digest.size() + " bytes), not the " + origin + " "
            + sha256;
      }
      if (size != null && digest.size() != size) {
        return "has " + digest.size() + " bytes, not the " + size + " of the " + origin;
      }
      if (prefix != null && !digest.sha256().startsWith(prefix)) {
        return "has SHA-256 " + digest.sha256() + ", which does not start with " + prefix
            + " as its file name says (torch.hub's check_hash)";
      }
      return null;
    }

    /** How the user can accept a file that {@link #mismatch} refuses, or "": a pin can be replaced, not the rest. */
    String remedy(PretrainedManifest.Entry entry, Digest digest) {
      boolean againstThePin = pinned && (prefix == null || digest.sha256().startsWith(prefix));
      return againstThePin ? "; if upstream re-published the file, check it and accept it with ./stmzoo download "
          + entry.tag() + " --sha256 " + digest.sha256() : "";
    }
  }

  /** A file's length and SHA-256. */
  record Digest(long size, String sha256) {
    static Digest of(Path file) throws IOException {
      return new Digest(Files.size(file), Sha256.ofFile(file));
    }
  }

  private List<String> urls(PretrainedManifest.Entry entry) {
    if (cache.mirror() != null) {
      String base = cache.mirror().endsWith("/") ? cache.mirror() : cache.mirror() + "/";
      return List.of(base + entry.file());
    }
    return entry.urls();
  }

  /**
   * Brings {@code part} to the complete file from {@code url} and checks it; a resumed file that fails its check
   * is fetched once more from zero ({@code mayResume} false), a fresh one that fails is deleted and refused.
   */
  private Digest download(URI url, Path part, PretrainedManifest.Entry entry, Expected expected, boolean mayResume)
      throws IOException {
    boolean resume = mayResume && resumes(part, url.toString(), expected);
    long have = resume ? Files.size(part) : 0;
    // the server answers 200 (whole file) if the source changed since
    String ifRange = resume ? validatorFor(part, url.toString()) : null;
    // a .part not resumed is replaced once a body starts (Progress.started), not before: another URL's .part
    // outlives a URL that fails first (a 404, a web page), for the next run to resume
    long cap = expected.size() != null ? expected.size() : maxBytes;
    HttpTransfer.Result result;
    try (Progress bar = new Progress(part, url)) {
      result = http.get(url, part, have, ifRange, cap, bar);
      if (!result.lengthKnown() && !expected.judgesLength()) {
        result = confirmEnd(url, part, entry, result, cap, bar);
      }
    }
    Digest digest = Digest.of(part);
    String problem = expected.problem(entry, digest);
    if (problem == null) {
      return digest;
    }
    Files.deleteIfExists(part);
    Files.deleteIfExists(sourceOf(part));
    if (have > 0 && result.appended()) {
      return download(url, part, entry, expected, false); // the kept bytes were stale: once more from zero
    }
    throw new DownloadFailedException(url.toString(), "the file " + problem + "; not put into the cache");
  }

  /**
   * A body that ended when the connection closed, without a length to tell a cut from the end of the file, and
   * nothing else to judge it (no checksum, no size): the server is asked for the bytes past it (Range, and If-Range
   * with the body's validator), and answers 416 where the file is complete, or 206 with the rest where it was cut,
   * which is appended, until it has said where the file ends. A 200 (Range ignored, or the file changed meanwhile)
   * leaves the bytes unverifiable: they are deleted and refused, never promoted or pinned.
   */
  private HttpTransfer.Result confirmEnd(URI url, Path part, PretrainedManifest.Entry entry,
      HttpTransfer.Result result, long cap, Progress bar) throws IOException {
    String validator = result.source().validator();
    bar.rangeOnly = true;
    while (!result.lengthKnown()) {
      long have = result.bytes();
      if (!bar.answered) {
        // no body: HttpTransfer's 416 whose "bytes */TOTAL" is not the .part's length, which it holds more bytes
        // than (or the server contradicts itself): the server did give a length, the .part is not its file
        Files.deleteIfExists(part);
        Files.deleteIfExists(sourceOf(part));
        throw new DownloadFailedException(url.toString(), part.getFileName() + " holds " + have + " bytes, but the"
            + " server answered a request for the bytes past them with 416 (Range Not Satisfiable) and another length"
            + " for the file: discarded; run again");
      }
      bar.answered = false;
      String refused = null;
      try {
        result = http.get(url, part, have, validator, cap, bar);
        if (bar.answered && result.bytes() == have && !result.lengthKnown()) {
          refused = "did not confirm its end (a Range request for the bytes past the " + have
              + " received was answered with neither those bytes nor the file's length)";
        }
      } catch (RangeIgnored e) {
        refused = "did not confirm its end (a Range request for the bytes past the " + have
            + " received was answered with the whole file)";
      }
      if (refused != null) {
        Files.deleteIfExists(part);
        Files.deleteIfExists(sourceOf(part));
        throw new DownloadFailedException(url.toString(), "the server did not say how long the file is (no"
            + " Content-Length) and " + refused + ", so a download cut short cannot be told from the whole file;"
            + " not put into the cache (if you know its SHA-256: ./stmzoo download " + entry.tag()
            + " --sha256 SHA256)");
      }
    }
    return result;
  }

  /** A body of the whole file where only the bytes past a given offset were asked for (to confirm a file's end). */
  private static final class RangeIgnored extends DownloadFailedException {
    RangeIgnored(URI url) {
      super(url.toString(), "the server ignored the Range request");
    }
  }

  /**
   * {@code FILE.part.source}: the URL a {@code .part} was requested from (before redirects, which may lead to another
   * signed URL on each request, as GitHub's release assets do) and the validator (ETag or Last-Modified) of the body.
   */
  private static Path sourceOf(Path part) {
    return part.resolveSibling(part.getFileName() + ".source");
  }

  /** The lines of {@code FILE.part.source}, the URL and the validator ("" for none); none where it is absent. */
  private static List<String> partSource(Path part) throws IOException {
    return Files.isRegularFile(sourceOf(part)) ? Files.readAllLines(sourceOf(part), StandardCharsets.UTF_8)
        : List.of();
  }

  /** The If-Range validator of {@code part} where it was requested from {@code url} and its server sent one. */
  private static String validatorFor(Path part, String url) throws IOException {
    List<String> source = partSource(part);
    return source.size() == 2 && source.get(0).equals(url) && !source.get(1).isEmpty() ? source.get(1) : null;
  }

  /**
   * Whether a request to {@code url} continues {@code part} rather than starting again: where a checksum will judge
   * the result, or where If-Range can confirm that the source is still the one {@code part} came from; else nothing
   * could tell stale bytes from good ones.
   */
  private static boolean resumes(Path part, String url, Expected expected) throws IOException {
    return Files.isRegularFile(part) && Files.size(part) > 0
        && (expected.checksContent() || validatorFor(part, url) != null);
  }

  /** {@code urls} with the one {@code part} was requested from first: another tried before it would discard it. */
  private static List<String> partSourceFirst(List<String> urls, Path part) throws IOException {
    List<String> source = partSource(part);
    if (!Files.isRegularFile(part) || source.isEmpty() || !urls.contains(source.get(0))) {
      return urls;
    }
    List<String> ordered = new ArrayList<>(urls);
    ordered.remove(source.get(0));
    ordered.add(0, source.get(0));
    return ordered;
  }

  private void pin(PretrainedManifest.Entry entry, Digest digest, String url, String accepted, String how)
      throws IOException {
    if (entry.sha256() != null) {
      return; // published: nothing to pin
    }
    Optional<WeightLock.Pin> existing = lock.get(entry.file());
    if (existing.isEmpty() || accepted != null) {
      lock.put(entry.file(), new WeightLock.Pin(digest.size(), digest.sha256(), entry.tag(), url,
          Instant.now().toString(), accepted != null ? "accepted with --sha256" : how));
    }
  }

  /**
   * me.tongfei's bar, redrawn at most twice a second (so logs are not flooded), in MiB with speed and ETA, shown
   * once the body starts; it also records where a fresh body comes from, for a later resume.
   */
  private final class Progress implements HttpTransfer.Listener, AutoCloseable {
    private final Path part;
    private final URI requested;
    private ProgressBar bar;
    /** Set while a file's end is confirmed: only the bytes past the .part are wanted, a whole file is refused. */
    boolean rangeOnly;
    /** Whether a body started: a request answered without one (a 416) leaves it as it was. */
    boolean answered;

    Progress(Path part, URI requested) {
      this.part = part;
      this.requested = requested;
    }

    @Override
    public void started(HttpTransfer.Source source, long start, long total) throws IOException {
      answered = true;
      if (rangeOnly && start == 0) {
        throw new RangeIgnored(requested); // before HttpTransfer opens the file: its bytes stay
      }
      close(); // the bar of the request before, where this one asks for the rest
      if (start == 0) {
        // the bytes of another source go before the record of this one: a crash between must not pair them
        Files.deleteIfExists(part);
        String validator = source.validator();
        // the URL asked for, which the next run asks for again, not source.url(): that is where redirects led
        Files.writeString(sourceOf(part), requested + "\n" + (validator == null ? "" : validator) + "\n",
            StandardCharsets.UTF_8);
      }
      ProgressBarBuilder builder = new ProgressBarBuilder()
          .setTaskName(part.getFileName().toString())
          .setInitialMax(total)
          .startsFrom(start, Duration.ZERO)
          .setUnit(" MiB", 1 << 20)
          .showSpeed()
          .setStyle(ProgressBarStyle.ASCII)
          .setUpdateIntervalMillis(500);
      builder.setConsumer(progress != null
          ? new ConsoleProgressBarConsumer(progress)
          : new DelegatingProgressBarConsumer(line -> { }));
      bar = builder.build();
    }

    @Override
    public void advanced(long done) {
      bar.stepTo(done);
    }

    @Override
    public void close() {
      if (bar != null) {
        bar.close();
        bar = null;
      }
    }
  }
}
