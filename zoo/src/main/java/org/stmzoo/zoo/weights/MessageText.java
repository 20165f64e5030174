package org.stmzoo.zoo.weights;

/** Text from a weight file in a message: a tensor's name may be megabytes long. */
final class MessageText {
  /** Characters of a name a message shows. */
  static final int SHOWN = 200;

  private MessageText() {}

  /** {@code text}, or its first {@value #SHOWN} characters and how many there are. */
  static String abbreviate(String text) {
    return text.length() <= SHOWN ? text : text.substring(0, SHOWN) + "... (" + text.length() + " characters)";
  }
}
