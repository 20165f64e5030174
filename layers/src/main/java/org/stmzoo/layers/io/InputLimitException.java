package org.stmzoo.layers.io;

import java.nio.file.Path;

/** An input larger than a configured limit (bytes, elements, pixels): the message names the limit and its knob. */
public class InputLimitException extends InputFileException {
  public InputLimitException(Path file, String problem) {
    super(file, problem);
  }
}
