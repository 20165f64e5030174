package org.stmzoo.layers.core;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;

/**
 * A Jackson error as words for one line: its original message without the source excerpt and location Jackson
 * appends (also inside the message: "start marker at [Source: ...; line: 1, column: 1]"), Java type names reduced
 * to their simple names, and the JSON field it concerns.
 */
public final class JsonErrors {
  private static final int MAX_LENGTH = 300;

  private JsonErrors() {}

  /** {@code "malformed JSON at training.step: Unexpected character ..."} (" at FIELD" only when known). */
  public static String describe(JsonProcessingException e) {
    return "malformed JSON" + fieldOf(e) + ": " + message(e);
  }

  /** The original message, one line, without locations or package names. */
  public static String message(JsonProcessingException e) {
    String message = e.getOriginalMessage();
    if (message == null) {
      return "unreadable";
    }
    String line = message.lines().findFirst().orElse("").strip()
        .replaceAll("\\s*\\(start marker at \\[Source:[^]]*]\\)", "")
        .replaceAll("\\s*(at )?\\[Source:[^]]*]", "")
        // Jackson names target types by their Java class, generics included (found by fuzzing):
        // `java.util.ArrayList<org.stmzoo...CheckpointFolder$VariablesFile>` -> `ArrayList<VariablesFile>`
        .replaceAll("\\b(?:[a-z_]\\w*\\.)+(?:[A-Z]\\w*\\$)*([A-Z]\\w*)", "$1");
    return line.length() > MAX_LENGTH ? line.substring(0, MAX_LENGTH) + "..." : line;
  }

  /** " at a.b[2]" from a mapping error's path, or "". */
  private static String fieldOf(JsonProcessingException e) {
    if (!(e instanceof JsonMappingException mapping) || mapping.getPath().isEmpty()) {
      return "";
    }
    StringBuilder path = new StringBuilder();
    for (JsonMappingException.Reference r : mapping.getPath()) {
      if (r.getFieldName() != null) {
        path.append(path.length() == 0 ? "" : ".").append(r.getFieldName());
      } else if (r.getIndex() >= 0) {
        path.append('[').append(r.getIndex()).append(']');
      }
    }
    return path.length() == 0 ? "" : " at " + path;
  }
}
