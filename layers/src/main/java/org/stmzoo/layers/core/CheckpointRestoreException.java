package org.stmzoo.layers.core;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.tensorflow.exceptions.TensorFlowException;

/**
 * A TensorFlow checkpoint restore that failed, as one line: {@code PREFIX: cannot restore variable V: why}.
 * TensorFlow's own message spans several lines and names graph nodes ({@code [[{{node restore/assign_12}}]]});
 * the variable is recovered from the node's position or from a "Key ... not found" message.
 */
public final class CheckpointRestoreException extends IllegalArgumentException {
  private static final Pattern NODE = Pattern.compile("\\{\\{node [^}]*?/" + CheckpointOps.ASSIGN_PREFIX
      + "(\\d+)}}");
  private static final Pattern MISSING_KEY = Pattern.compile("Key (\\S+) not found in checkpoint");

  private CheckpointRestoreException(String message, Throwable cause) {
    super(message, cause);
  }

  static CheckpointRestoreException from(TensorFlowException e, String checkpointPrefix, CheckpointOps ops) {
    String message = e.getMessage() == null ? "" : e.getMessage();
    String variable = null;
    Matcher key = MISSING_KEY.matcher(message);
    Matcher node = NODE.matcher(message);
    if (key.find()) {
      variable = key.group(1);
    } else if (node.find()) {
      int index = Integer.parseInt(node.group(1));
      if (index < ops.variables().size()) {
        variable = ops.variables().get(index).path();
      }
    }
    String why = message.lines().map(String::trim).filter(l -> !l.isEmpty() && !l.startsWith("[["))
        .findFirst().orElse("TensorFlow reported no reason")
        .replaceAll("\\s*\\[\\[.*$", "");
    if (why.length() > 300) {
      why = why.substring(0, 300) + "...";
    }
    return new CheckpointRestoreException(checkpointPrefix + ": cannot restore "
        + (variable == null ? "the checkpoint" : "variable " + variable) + ": " + why, e);
  }
}
