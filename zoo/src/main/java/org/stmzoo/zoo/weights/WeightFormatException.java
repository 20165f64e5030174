package org.stmzoo.zoo.weights;

/**
 * A weight or array file that cannot be read as what it claims to be: truncated, malformed, inconsistent
 * (offsets outside the file, a header larger than the file), or holding something stmzoo refuses (a pickle
 * global outside the allow-list). An IllegalArgumentException, so the CLI reports it as a clean error.
 */
public class WeightFormatException extends IllegalArgumentException {
  public WeightFormatException(String message) {
    super(message);
  }

  public WeightFormatException(String message, Throwable cause) {
    super(message, cause);
  }
}
