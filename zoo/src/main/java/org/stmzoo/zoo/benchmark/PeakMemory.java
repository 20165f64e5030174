package org.stmzoo.zoo.benchmark;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * Peak resident memory of this process (Linux's VmHWM), which includes TF's native allocations. It is the peak of
 * the process's life so far: read it right after what it should measure.
 */
public final class PeakMemory {
  private PeakMemory() {}

  /** Peak RSS in MiB, or empty where /proc/self/status is not available (not Linux). */
  public static OptionalLong peakResidentMiB() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmHWM:")) {
          return OptionalLong.of(Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024);
        }
      }
    } catch (IOException | NumberFormatException e) {
      return OptionalLong.empty();
    }
    return OptionalLong.empty();
  }

  /** {@code 1234 MiB}, or {@code n/a} where the peak could not be read. */
  public static String describe(OptionalLong peakMiB) {
    return peakMiB.isPresent() ? peakMiB.getAsLong() + " MiB" : "n/a";
  }
}
