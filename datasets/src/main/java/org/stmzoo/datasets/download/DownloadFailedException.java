package org.stmzoo.datasets.download;

import java.io.IOException;

/**
 * A download that did not produce its file, told in one line: which URL, what went wrong and, once the caller
 * knows the alternatives, what to do instead ({@code could not download URL: CAUSE; REMEDY}). The message is the
 * whole user-facing line, so {@link #toString()} is the message without the class name.
 */
public class DownloadFailedException extends IOException {
  private final String url;
  private final String reason;
  private final String remedy;

  public DownloadFailedException(String url, String reason, String remedy, Throwable cause) {
    super("could not download " + url + ": " + reason + (remedy == null ? "" : "; " + remedy), cause);
    this.url = url;
    this.reason = reason;
    this.remedy = remedy;
  }

  public DownloadFailedException(String url, String reason) {
    this(url, reason, null, null);
  }

  /** The same failure with what the user can do about it. */
  public DownloadFailedException withRemedy(String value) {
    return new DownloadFailedException(url, reason, value, getCause());
  }

  public String url() {
    return url;
  }

  /** What went wrong, without the URL. */
  public String reason() {
    return reason;
  }

  @Override
  public String toString() {
    return getMessage();
  }
}
