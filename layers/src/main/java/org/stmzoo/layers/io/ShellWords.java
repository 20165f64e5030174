package org.stmzoo.layers.io;

import java.util.regex.Pattern;

/** Paths in the commands stmzoo prints for copying into a POSIX shell. */
public final class ShellWords {
  /** Characters no POSIX shell treats specially in a word. */
  private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_./:@%+=,-]+");

  private ShellWords() {}

  /**
   * {@code word} as one shell word: as it is where it is plain, else in single quotes (a quote inside as
   * {@code '\''}), so that a path with a space or a {@code $} pastes as the path.
   */
  public static String quote(Object word) {
    String s = String.valueOf(word);
    return PLAIN.matcher(s).matches() ? s : "'" + s.replace("'", "'\\''") + "'";
  }
}
