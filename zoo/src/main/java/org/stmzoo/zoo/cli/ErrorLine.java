package org.stmzoo.zoo.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.stream.Collectors;
import org.stmzoo.layers.core.JsonErrors;
import org.tensorflow.exceptions.TensorFlowException;

/**
 * Any failure as the one line the CLI prints after {@code error: }: the message our code wrote ({@code FILE: what
 * is wrong}), or a library's reduced to its first line without Java class names, Jackson's source locations or
 * TensorFlow's node dumps. The stack trace stays behind {@code STMZOO_DEBUG=1}.
 */
final class ErrorLine {
  private static final int MAX_LENGTH = 600;

  private ErrorLine() {}

  static String of(Throwable e) {
    String line = describe(e);
    line = line.lines().map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("[[") && !l.startsWith("at "))
        .collect(Collectors.joining(" "));
    line = line.replaceAll("\\s*\\[\\[\\{\\{node [^]]*]]", "");
    // a library's message that embeds Jackson's source location (e.g. a manifest error wrapped elsewhere)
    line = line.replaceAll("\\s*\\(?(start marker at )?\\[Source:[^]]*]\\)?", "");
    if (line.length() <= MAX_LENGTH) {
      return line;
    }
    // at a space where there is one, so that the last name shown is whole
    int cut = line.lastIndexOf(' ', MAX_LENGTH);
    return line.substring(0, cut > MAX_LENGTH / 2 ? cut : MAX_LENGTH) + " ...";
  }

  private static String describe(Throwable e) {
    if (e instanceof UncheckedIOException && e.getCause() != null) {
      String inner = describe(e.getCause());
      String outer = e.getMessage();
      // new UncheckedIOException(cause) has the cause's toString() as its message: no context of its own
      boolean addsContext = outer != null && !outer.isBlank() && !outer.equals(e.getCause().toString())
          && !inner.contains(outer);
      return addsContext ? outer + ": " + inner : inner;
    }
    if (e instanceof NoSuchFileException f) {
      return f.getFile() + ": no such file or folder";
    }
    if (e instanceof AccessDeniedException f) {
      return f.getFile() + ": permission denied";
    }
    if (e instanceof NotDirectoryException f) {
      return f.getFile() + ": not a folder";
    }
    if (e instanceof FileAlreadyExistsException f && f.getFile() != null) {
      // Files.createDirectories where a file is: "cannot be accessed" sent users looking for a permission problem
      return f.getFile() + (Files.isRegularFile(Path.of(f.getFile())) ? ": is a file, not a folder"
          : ": already exists");
    }
    if (e instanceof FileSystemException f && f.getFile() != null) {
      return f.getFile() + ": " + (f.getReason() == null ? "cannot be accessed" : f.getReason());
    }
    if (e instanceof JsonProcessingException j) {
      // the original message, without Jackson's multi-line "at [Source: ...; line: 1, column: 7]" location
      return JsonErrors.describe(j);
    }
    if (e instanceof TensorFlowException) {
      return "TensorFlow: " + firstLine(e.getMessage());
    }
    if (e instanceof OutOfMemoryError) {
      return "out of memory (the Java heap limit is " + Runtime.getRuntime().maxMemory() / (1 << 20)
          + " MiB; raise it with STMZOO_JAVA_OPTS=-Xmx...)";
    }
    if (e instanceof StackOverflowError) {
      return "input nested too deeply (stack overflow)";
    }
    if (e instanceof LinkageError) {
      // the cause that failed first: an ExceptionInInitializerError or a later NoClassDefFoundError wraps it
      Throwable root = e;
      while (root.getCause() != null && root.getCause() != root) {
        root = root.getCause();
      }
      return "cannot load a library this command needs on " + System.getProperty("os.name") + " "
          + System.getProperty("os.arch") + " (" + firstLine(root.getMessage()) + "); TensorFlow Java 1.1.0 has"
          + " natives for Linux x86-64 and arm64, macOS on Apple silicon and Windows x86-64";
    }
    String message = e.getMessage();
    if (message == null || message.isBlank()) {
      return "internal error (" + e.getClass().getSimpleName().replaceAll("(?<=[a-z])(?=[A-Z])", " ")
          .toLowerCase(java.util.Locale.ROOT).replace(" exception", "").replace(" error", "")
          + "); STMZOO_DEBUG=1 shows where";
    }
    return message;
  }

  private static String firstLine(String message) {
    return message == null ? "no details" : message.lines().findFirst().orElse("").strip();
  }
}
