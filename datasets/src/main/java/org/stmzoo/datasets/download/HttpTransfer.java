package org.stmzoo.datasets.download;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.HttpURLConnection;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.function.LongSupplier;
import javax.net.ssl.SSLException;

/**
 * One HTTP GET of a file into a local file, bounded in time and size. {@link HttpURLConnection} rather than
 * {@code java.net.http.HttpClient} because only the former has a read timeout: the client's request timeout ends
 * with the headers, after which a silent server blocks a body read forever. Redirects are followed by hand (at most
 * {@value #MAX_REDIRECTS}) so that an https URL never continues over plain http. Every failure is a
 * {@link DownloadFailedException} naming the URL and the cause in words.
 */
public final class HttpTransfer {
  public static final int MAX_REDIRECTS = 5;

  /** Where the body came from after redirects, and the validators a later resume can send as {@code If-Range}. */
  public record Source(URI url, String etag, String lastModified) {
    /** The value for {@code If-Range}: the strong ETag, else the Last-Modified date, else null. */
    public String validator() {
      if (etag != null && !etag.startsWith("W/")) {
        return etag;
      }
      return lastModified;
    }
  }

  /**
   * Told when the body starts and as it arrives (for progress bars and resume bookkeeping). An exception from
   * {@link #started} refuses the body before the file is opened: the file is left as it was.
   */
  public interface Listener {
    /** @param start bytes the file already holds; @param total its expected final length, -1 if unknown */
    default void started(Source source, long start, long total) throws IOException {}

    default void advanced(long done) {}
  }

  /**
   * @param bytes the file's length afterwards
   * @param appended whether the server honoured the resume
   * @param lengthKnown whether the server said where the file ends, so that a connection cut early was an error
   *     rather than this result: a Content-Length or chunked encoding (whose end the JDK checks) for a whole body,
   *     the total of Content-Range ({@code bytes a-b/TOTAL}) for a resumed one, a 416 at the file's end. When
   *     false, the body ended when the connection closed (no length, no chunking), which a cut looks exactly like
   */
  public record Result(long bytes, boolean appended, Source source, boolean lengthKnown) {}

  private final TransferLimits limits;
  private final LongSupplier nanoClock;

  public HttpTransfer(TransferLimits limits) {
    this(limits, System::nanoTime);
  }

  HttpTransfer(TransferLimits limits, LongSupplier nanoClock) {
    this.limits = limits;
    this.nanoClock = nanoClock;
  }

  public TransferLimits limits() {
    return limits;
  }

  /**
   * Fetches {@code url} into {@code file}: from byte {@code resumeFrom} with a Range request when it is positive
   * (sending {@code ifRange} as If-Range when given, so a changed source restarts from zero), else from scratch.
   *
   * @param maxBytes the largest the file may become, -1 for no cap; checked against Content-Length before reading
   *     and against the bytes while reading
   */
  public Result get(URI url, Path file, long resumeFrom, String ifRange, long maxBytes, Listener listener)
      throws IOException {
    HttpURLConnection connection = null;
    try {
      connection = open(url, resumeFrom, ifRange);
      return receive(connection, file, resumeFrom, maxBytes, listener);
    } catch (DownloadFailedException e) {
      throw e;
    } catch (IOException e) {
      URI where = connection != null ? uriOf(connection, url) : url;
      throw new DownloadFailedException(where.toString(), describe(e, where), null, e);
    } finally {
      if (connection != null) {
        connection.disconnect();
      }
    }
  }

  private HttpURLConnection open(URI url, long resumeFrom, String ifRange) throws IOException {
    URI current = url;
    for (int hop = 0; ; hop++) {
      String scheme = current.getScheme() == null ? "" : current.getScheme().toLowerCase(Locale.ROOT);
      if (!scheme.equals("http") && !scheme.equals("https")) {
        throw new DownloadFailedException(url.toString(), "only http and https URLs are fetched, not '" + current
            + "'");
      }
      HttpURLConnection c = (HttpURLConnection) current.toURL().openConnection();
      c.setInstanceFollowRedirects(false);
      c.setConnectTimeout(millis(limits.connect().toMillis()));
      c.setReadTimeout(millis(limits.read().toMillis()));
      c.setUseCaches(false);
      c.setRequestProperty("User-Agent", "stmzoo");
      c.setRequestProperty("Accept-Encoding", "identity");
      if (resumeFrom > 0) {
        c.setRequestProperty("Range", "bytes=" + resumeFrom + "-");
        if (ifRange != null) {
          c.setRequestProperty("If-Range", ifRange);
        }
      }
      int status;
      try {
        c.connect();
        status = c.getResponseCode();
      } catch (SocketTimeoutException e) {
        c.disconnect();
        boolean connected = e.getMessage() == null || !e.getMessage().toLowerCase(Locale.ROOT).contains("connect");
        throw new DownloadFailedException(current.toString(), connected ? describe(e, current)
            : "could not connect within " + limits.connect().toSeconds() + " s", null, e);
      } catch (IOException e) {
        c.disconnect();
        throw new DownloadFailedException(current.toString(), describe(e, current), null, e);
      }
      if (status < 300 || status >= 400 || status == 304) {
        return c;
      }
      String location = c.getHeaderField("Location");
      c.disconnect();
      if (location == null) {
        throw new DownloadFailedException(current.toString(), "HTTP " + status + " without a Location header");
      }
      if (hop + 1 > MAX_REDIRECTS) { // this response is redirect number hop + 1
        throw new DownloadFailedException(url.toString(), "more than " + MAX_REDIRECTS + " redirects");
      }
      URI next = current.resolve(location);
      if (scheme.equals("https") && "http".equalsIgnoreCase(next.getScheme())) {
        throw new DownloadFailedException(current.toString(), "refused a redirect from https to plain http ("
            + next + ")");
      }
      current = next;
    }
  }

  private Result receive(HttpURLConnection c, Path file, long resumeFrom, long maxBytes, Listener listener)
      throws IOException {
    URI url = uriOf(c, null);
    int status = c.getResponseCode();
    Source source = new Source(url, c.getHeaderField("ETag"), c.getHeaderField("Last-Modified"));
    if (status == 416 && resumeFrom > 0) {
      // the file already holds every byte the server has; "bytes */TOTAL", where sent, must say so too
      long total = contentRangeTotal(c.getHeaderField("Content-Range"));
      return new Result(resumeFrom, true, source, total < 0 || total == resumeFrom);
    }
    if (status != 200 && status != 206) {
      throw new DownloadFailedException(url.toString(), "HTTP " + status
          + (c.getResponseMessage() == null ? "" : " " + c.getResponseMessage()));
    }
    String type = c.getContentType();
    if (type != null && type.toLowerCase(Locale.ROOT).startsWith("text/html")) {
      throw new DownloadFailedException(url.toString(), "the server sent a web page (" + type
          + "), not the file (a login, quota or confirmation page?)");
    }
    boolean append = status == 206 && resumeFrom > 0;
    if (append) {
      long start = contentRangeStart(c.getHeaderField("Content-Range"));
      if (start != resumeFrom) {
        throw new DownloadFailedException(url.toString(), "asked for bytes from " + resumeFrom
            + " but the server sent a range starting at " + start);
      }
    }
    long start = append ? resumeFrom : 0;
    long length = c.getContentLengthLong();
    // the JDK reads a chunked body to its last chunk or fails ("Premature EOF"); a 206's own length is only that of
    // the range sent, the file's is the total of its Content-Range ("*" where the server does not know it)
    boolean chunked = "chunked".equalsIgnoreCase(c.getHeaderField("Transfer-Encoding"));
    long rangeTotal = append ? contentRangeTotal(c.getHeaderField("Content-Range")) : -1;
    boolean lengthKnown = append ? rangeTotal >= 0 : length >= 0 || chunked;
    long total = rangeTotal >= 0 ? rangeTotal : length >= 0 ? start + length : -1;
    if (maxBytes >= 0 && total > maxBytes) {
      throw new DownloadFailedException(url.toString(), "the server announces " + total + " bytes, more than the "
          + maxBytes + " expected");
    }
    listener.started(source, start, total);
    long done = start;
    try (InputStream in = c.getInputStream();
        OutputStream out = Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
            append ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING)) {
      byte[] buffer = new byte[1 << 16];
      long windowStart = nanoClock.getAsLong();
      long windowBytes = done;
      long window = limits.stallWindow().toNanos();
      int n;
      while ((n = in.read(buffer)) >= 0) {
        if (maxBytes >= 0 && done + n > maxBytes) {
          throw new DownloadFailedException(url.toString(), "the body exceeds the " + maxBytes
              + " bytes expected");
        }
        out.write(buffer, 0, n);
        done += n;
        listener.advanced(done);
        long now = nanoClock.getAsLong();
        if (now - windowStart >= window) {
          if (done - windowBytes < limits.minBytesPerWindow()) {
            throw new DownloadFailedException(url.toString(), "stalled: " + (done - windowBytes) + " bytes in "
                + limits.stallWindow().toSeconds() + " s (fewer than " + limits.minBytesPerWindow() + ")");
          }
          windowStart = now;
          windowBytes = done;
        }
      }
    } catch (DownloadFailedException e) {
      throw e;
    } catch (IOException e) {
      throw new DownloadFailedException(url.toString(), describe(e, url) + " after " + done + " bytes", null, e);
    }
    if (total >= 0 && done < total) {
      throw new DownloadFailedException(url.toString(), "the connection closed after " + done + " of " + total
          + " bytes");
    }
    if (rangeTotal >= 0 && done > rangeTotal) {
      throw new DownloadFailedException(url.toString(), "the server sent " + done + " bytes of a file it says has "
          + rangeTotal);
    }
    return new Result(done, append, source, lengthKnown);
  }

  /** The cause in words: which limit, or what the network said. */
  private String describe(IOException e, URI url) {
    if (e instanceof SocketTimeoutException) {
      return "no data for " + limits.read().toSeconds() + " s (read timeout)";
    }
    if (e instanceof UnknownHostException) {
      return "unknown host " + url.getHost() + " (no network or no DNS?)";
    }
    if (e instanceof ConnectException || e instanceof NoRouteToHostException) {
      return "cannot connect to " + url.getHost() + (url.getPort() > 0 ? ":" + url.getPort() : "") + " ("
          + (e.getMessage() == null ? "connection refused" : e.getMessage()) + "; no network?)";
    }
    if (e instanceof SSLException) {
      return "TLS failure (" + e.getMessage() + ")";
    }
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }

  private static long contentRangeStart(String header) {
    // "bytes START-END/TOTAL"
    if (header == null || !header.startsWith("bytes ")) {
      return -1;
    }
    int dash = header.indexOf('-');
    try {
      return dash < 0 ? -1 : Long.parseLong(header.substring(6, dash).trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private static long contentRangeTotal(String header) {
    // TOTAL of "bytes START-END/TOTAL" (a 206) or "bytes */TOTAL" (a 416); -1 when absent or "*"
    int slash = header == null || !header.startsWith("bytes ") ? -1 : header.indexOf('/');
    try {
      return slash < 0 ? -1 : Long.parseLong(header.substring(slash + 1).trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private static URI uriOf(HttpURLConnection c, URI fallback) {
    try {
      return c.getURL().toURI();
    } catch (java.net.URISyntaxException e) {
      return fallback;
    }
  }

  private static int millis(long value) {
    return (int) Math.min(Integer.MAX_VALUE, Math.max(1, value));
  }
}
