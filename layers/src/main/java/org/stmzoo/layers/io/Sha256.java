package org.stmzoo.layers.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The SHA-256 of a file, in lower-case hex: the one digest stmzoo's integrity checks compare (a checkpoint
 * folder's variables files, a pretrained download, the Fashion-MNIST cache).
 */
public final class Sha256 {
  private Sha256() {}

  /**
   * The digest of {@code file}'s content, read in 64 KiB blocks.
   *
   * @throws InputFileException missing, or not a regular file (a FIFO would block the read forever)
   */
  public static String ofFile(Path file) throws IOException {
    InputFiles.requireRegularFile(file);
    MessageDigest digest;
    try {
      digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
    byte[] buffer = new byte[1 << 16];
    try (InputStream in = Files.newInputStream(file)) {
      for (int n; (n = in.read(buffer)) > 0; ) {
        digest.update(buffer, 0, n);
      }
    }
    return HexFormat.of().formatHex(digest.digest());
  }
}
