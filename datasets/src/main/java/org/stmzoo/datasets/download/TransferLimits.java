package org.stmzoo.datasets.download;

import java.time.Duration;

/**
 * How long an HTTP transfer may wait and how little it may receive before it is given up. The read timeout bounds
 * every single wait for bytes (a server that accepts and sends nothing, before or after its headers); the stall
 * window bounds a server that trickles a few bytes just often enough to beat the read timeout.
 *
 * @param connect the TCP (and TLS) connection setup
 * @param read the longest wait for the next bytes, headers included
 * @param stallWindow the period over which at least {@code minBytesPerWindow} must arrive
 * @param minBytesPerWindow bytes a healthy transfer delivers per {@code stallWindow}
 */
public record TransferLimits(Duration connect, Duration read, Duration stallWindow, long minBytesPerWindow) {
  public TransferLimits {
    if (connect.isNegative() || connect.isZero() || read.isNegative() || read.isZero()
        || stallWindow.isNegative() || stallWindow.isZero() || minBytesPerWindow < 0) {
      throw new IllegalArgumentException("transfer limits must be positive: " + connect + ", " + read + ", "
          + stallWindow + ", " + minBytesPerWindow);
    }
  }

  /** 30 s to connect, 60 s for any read, and at least 64 KiB every 2 minutes. */
  public static TransferLimits defaults() {
    return new TransferLimits(Duration.ofSeconds(30), Duration.ofSeconds(60), Duration.ofMinutes(2), 64 << 10);
  }
}
