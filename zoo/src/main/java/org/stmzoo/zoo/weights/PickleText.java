package org.stmzoo.zoo.weights;

/** The two text encodings of protocol 0 strings: Python 2 {@code repr} literals and raw-unicode-escape. */
final class PickleText {
  private PickleText() {}

  /** STRING's argument: a quoted literal with backslash escapes, decoded to its (latin-1) characters. */
  static String quoted(String literal) {
    if (literal.length() < 2 || literal.charAt(0) != literal.charAt(literal.length() - 1)
        || (literal.charAt(0) != '\'' && literal.charAt(0) != '"')) {
      throw AllowListUnpickler.malformed("the STRING opcode argument must be quoted");
    }
    String body = literal.substring(1, literal.length() - 1);
    StringBuilder out = new StringBuilder(body.length());
    for (int i = 0; i < body.length(); i++) {
      char c = body.charAt(i);
      if (c != '\\' || i + 1 == body.length()) {
        out.append(c);
        continue;
      }
      char e = body.charAt(++i);
      switch (e) {
        case 'n' -> out.append('\n');
        case 't' -> out.append('\t');
        case 'r' -> out.append('\r');
        case 'a' -> out.append('\u0007');
        case 'b' -> out.append('\b');
        case 'f' -> out.append('\f');
        case 'v' -> out.append('\u000b');
        case 'x' -> {
          out.append((char) hex(body, i + 1, 2));
          i += 2;
        }
        case '0', '1', '2', '3', '4', '5', '6', '7' -> {
          int end = i;
          while (end < body.length() && end < i + 3 && body.charAt(end) >= '0' && body.charAt(end) <= '7') {
            end++;
          }
          out.append((char) (Integer.parseInt(body.substring(i, end), 8) & 0xFF));
          i = end - 1;
        }
        case '\n' -> { } // an escaped line break continues the literal
        default -> out.append(e == '\\' || e == '\'' || e == '"' ? String.valueOf(e) : "\\" + e);
      }
    }
    return out.toString();
  }

  /** UNICODE's argument: {@code \\uXXXX} and {@code \\UXXXXXXXX} escapes, everything else literal. */
  static String rawUnicodeEscape(String text) {
    StringBuilder out = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '\\' && i + 1 < text.length() && (text.charAt(i + 1) == 'u' || text.charAt(i + 1) == 'U')) {
        int digits = text.charAt(i + 1) == 'u' ? 4 : 8;
        int codePoint = hex(text, i + 2, digits);
        if (!Character.isValidCodePoint(codePoint)) {
          throw AllowListUnpickler.malformed("\\U escape beyond Unicode");
        }
        out.appendCodePoint(codePoint);
        i += 1 + digits;
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  private static int hex(String s, int from, int digits) {
    if (from + digits > s.length()) {
      throw AllowListUnpickler.malformed("truncated escape in a protocol-0 string");
    }
    try {
      return (int) Long.parseLong(s.substring(from, from + digits), 16);
    } catch (NumberFormatException e) {
      throw AllowListUnpickler.malformed("bad escape in a protocol-0 string");
    }
  }
}
