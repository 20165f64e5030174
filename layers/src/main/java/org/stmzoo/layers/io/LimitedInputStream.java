package org.stmzoo.layers.io;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;

/**
 * Fails instead of truncating past a byte limit (commons-io's BoundedInputStream silently stops, which would let a
 * parser mistake an over-long input for a truncated one).
 */
final class LimitedInputStream extends FilterInputStream {
  private final Path file;
  private final long maxBytes;
  private final String limitName;
  private long count;
  private long mark;

  LimitedInputStream(InputStream in, Path file, long maxBytes, String limitName) {
    super(in);
    this.file = file;
    this.maxBytes = maxBytes;
    this.limitName = limitName;
  }

  @Override
  public int read() throws IOException {
    int b = super.read();
    if (b >= 0) {
      add(1);
    }
    return b;
  }

  @Override
  public int read(byte[] buffer, int offset, int length) throws IOException {
    int n = super.read(buffer, offset, length);
    if (n > 0) {
      add(n);
    }
    return n;
  }

  @Override
  public long skip(long n) throws IOException {
    long skipped = super.skip(n);
    if (skipped > 0) {
      add(skipped); // a file stream skips backwards on a negative n: that must not lower the count
    }
    return skipped;
  }

  @Override
  public synchronized void mark(int readLimit) {
    super.mark(readLimit);
    mark = count;
  }

  @Override
  public synchronized void reset() throws IOException {
    super.reset();
    count = mark;
  }

  private void add(long n) throws InputLimitException {
    count += n;
    if (count > maxBytes) {
      throw new InputLimitException(file, "more than " + maxBytes + " bytes (" + limitName + ")");
    }
  }
}
