package org.stmzoo.layers.io;

import java.nio.file.Path;

/**
 * A named limit on untrusted input, overridable by the Java system property of the same name (on the command
 * line: {@code STMZOO_JAVA_OPTS="-Dstmzoo.limit.npy-bytes=4294967296" ./stmzoo ...}). Readers take the value
 * when they read, so a test or a library user may also set the property programmatically.
 *
 * @param property the system property, e.g. {@code stmzoo.limit.image-pixels}
 * @param defaultValue the value without the property
 */
public record InputLimit(String property, long defaultValue) {
  /** The value in force: the property when set to a positive integer, else the default. */
  public long value() {
    String text = System.getProperty(property);
    if (text == null || text.isBlank()) {
      return defaultValue;
    }
    try {
      long v = Long.parseLong(text.trim().replace("_", ""));
      if (v > 0) {
        return v;
      }
    } catch (NumberFormatException ignored) {
      // fall through: a malformed setting is reported once, below, rather than silently taken as the default
    }
    throw new IllegalArgumentException("system property " + property + "=" + text + " is not a positive integer");
  }

  /** Refuses an input {@code what} of {@code bytes} bytes over this limit's value in force. */
  public void checkBytes(Path what, long bytes) throws InputLimitException {
    long max = value();
    if (bytes > max) {
      throw new InputLimitException(what, bytes + " bytes exceeds the limit of " + max + " bytes (" + knob() + ")");
    }
  }

  /** How to raise the limit, for messages: {@code -Dstmzoo.limit.image-pixels=N}. */
  public String knob() {
    return "-D" + property + "=N";
  }
}
