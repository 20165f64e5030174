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
    return read(file, StateDictChoice.MODEL);
  }

  /** The state dict {@code choice} names (a safetensors file has only one: the model's). */
  public static StateDict read(Path file, StateDictChoice choice) throws IOException {
    return read(file, choice, CheckpointLimits.defaults());
  }

  public static StateDict read(Path file, StateDictChoice choice, CheckpointLimits limits) throws IOException {
    TorchCheckpointReader.requireRegularFile(file);
    byte[] head = new byte[4];
    try (InputStream in = Files.newInputStream(file)) {
      int n = in.readNBytes(head, 0, 4);
      if (n == 4 && Arrays.equals(head, ZIP_MAGIC)) {
        return TorchCheckpointReader.read(file, choice, limits);
      }
    }
    if (file.getFileName().toString().endsWith(".safetensors")) {
      if (choice != StateDictChoice.MODEL) {
        throw new WeightFormatException(file + ": a safetensors file holds one state dict; EMA weights (--ema)"
            + " come from a training checkpoint with " + String.join(" or ", choice.keys()));
      }
      return SafetensorsReader.read(file, limits);
    }
    throw new WeightFormatException(file + ": neither safetensors (by its .safetensors name) nor a PyTorch zip"
        + " checkpoint (legacy non-zip torch.save files are not supported: re-save with torch>=1.6)");
  }
}
