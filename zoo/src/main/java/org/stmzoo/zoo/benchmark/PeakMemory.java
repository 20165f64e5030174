package org.stmzoo.zoo.benchmark;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Peak resident memory of this process (VmHWM), which includes TF's native allocations. */
public final class PeakMemory {
  private PeakMemory() {}

  /** Peak RSS in MiB, or -1 where /proc is not available. */
  public static long peakResidentMiB() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmHWM:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
        }
      }
    } catch (IOException | NumberFormatException e) {
      return -1;
    }
    return -1;
  }
}
