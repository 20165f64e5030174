package org.stmzoo.zoo.weights;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/** Reads a reference checkpoint of any supported format: safetensors, or a PyTorch zip ({@code .pth}, {@code .pt}). */
public final class ReferenceCheckpoints {
  private static final byte[] ZIP_MAGIC = {'P', 'K', 3, 4};

  private ReferenceCheckpoints() {}

  public static StateDict read(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException("checkpoint " + file + " does not exist or is not a file");
    }
    byte[] head = new byte[4];
    try (InputStream in = Files.newInputStream(file)) {
      int n = in.readNBytes(head, 0, 4);
      if (n == 4 && Arrays.equals(head, ZIP_MAGIC)) {
        return TorchCheckpointReader.read(file);
      }
    }
    if (file.getFileName().toString().endsWith(".safetensors")) {
      return SafetensorsReader.read(file);
    }
    throw new WeightFormatException(file + ": neither safetensors (by its .safetensors name) nor a PyTorch zip"
        + " checkpoint (legacy non-zip torch.save files are not supported: re-save with torch>=1.6)");
  }
}
