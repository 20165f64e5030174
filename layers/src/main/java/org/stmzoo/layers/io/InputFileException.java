package org.stmzoo.layers.io;

import java.io.IOException;
import java.nio.file.Path;

/**
 * An input file that stmzoo refuses to read, or cannot read as what it claims to be, with a one-line message
 * {@code FILE: what is wrong} fit for the command line ({@code error: FILE: what is wrong}).
 */
public class InputFileException extends IOException {
  private final transient Path file;

  public InputFileException(Path file, String problem) {
    super(file + ": " + problem);
    this.file = file;
  }

  public InputFileException(Path file, String problem, Throwable cause) {
    super(file + ": " + problem, cause);
    this.file = file;
  }

  /** The file the message names. */
  public Path file() {
    return file;
  }
}
