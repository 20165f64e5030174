package org.stmzoo.export;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.NamedTensorProto;
import org.tensorflow.proto.TensorProto;
import org.tensorflow.proto.TensorShapeProto;
import org.tensorflow.types.TFloat32;

/**
 * Runs an exported model in a JVM of its own and records its outputs: proof that an export stands alone
 * (nothing of the exporting process, its graph or its native state, is needed to use it).
 *
 * <p>{@code ExportRunner MODEL_DIR OUT_FILE --probe BATCH} runs {@code serving_default} on
 * {@link ProbeImages}; {@code ExportRunner MODEL_DIR OUT_FILE IMAGE...} runs {@code predict_image_bytes} on
 * the files. OUT_FILE receives the four outputs as length-delimited NamedTensorProto messages.
 */
public final class ExportRunner {
  private ExportRunner() {}

  public static void main(String[] args) throws IOException {
    if (args.length < 3) {
      System.err.println("usage: ExportRunner MODEL_DIR OUT_FILE (--probe BATCH | IMAGE...)");
      System.exit(2);
    }
    try (ExportedModel model = ExportedModel.load(Path.of(args[0]))) {
      ClassifierOutputs outputs;
      if (args[2].equals("--probe")) {
        int size = model.card().inputSize();
        try (TFloat32 probe = ProbeImages.create(Integer.parseInt(args[3]), size, size)) {
          outputs = model.classify(probe);
        }
      } else {
        List<byte[]> images = new ArrayList<>();
        for (int i = 2; i < args.length; i++) {
          images.add(Files.readAllBytes(Path.of(args[i])));
        }
        outputs = model.classifyEncoded(images);
      }
      write(outputs, Path.of(args[1]));
    }
  }

  /**
   * Runs this class in a new JVM (same Java, same class path) and returns what it computed.
   *
   * @param inputs {@code --probe N} or image files, as for {@link #main}
   */
  public static ClassifierOutputs inFreshJvm(Path modelDir, String... inputs) throws IOException {
    Path out = Files.createTempFile("stmzoo-export-run", ".pb");
    try {
      List<String> command = new ArrayList<>(List.of(
          Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-cp", System.getProperty("java.class.path"), ExportRunner.class.getName(),
          modelDir.toString(), out.toString()));
      command.addAll(List.of(inputs));
      Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
      String log;
      try (InputStream stdout = process.getInputStream()) {
        log = new String(stdout.readAllBytes(), StandardCharsets.UTF_8);
      }
      if (!process.waitFor(10, TimeUnit.MINUTES) || process.exitValue() != 0) {
        throw new IllegalStateException("the fresh JVM failed:\n" + log);
      }
      return read(out);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    } finally {
      Files.deleteIfExists(out);
    }
  }

  static void write(ClassifierOutputs outputs, Path file) throws IOException {
    try (OutputStream out = Files.newOutputStream(file)) {
      named(ServingSignatures.PROBABILITIES, floats(outputs.probabilities())).writeDelimitedTo(out);
      named(ServingSignatures.LOGITS, floats(outputs.logits())).writeDelimitedTo(out);
      named(ServingSignatures.CLASSES, ints(outputs.classes())).writeDelimitedTo(out);
      named(ServingSignatures.LABELS, strings(outputs.labels())).writeDelimitedTo(out);
    }
  }

  static ClassifierOutputs read(Path file) throws IOException {
    Map<String, TensorProto> byName = new HashMap<>();
    try (InputStream in = Files.newInputStream(file)) {
      NamedTensorProto t;
      while ((t = NamedTensorProto.parseDelimitedFrom(in)) != null) {
        byName.put(t.getName(), t.getTensor());
      }
    }
    TensorProto classes = byName.get(ServingSignatures.CLASSES);
    TensorProto labels = byName.get(ServingSignatures.LABELS);
    int[][] classMatrix = new int[rows(classes)][cols(classes)];
    String[][] labelMatrix = new String[rows(labels)][cols(labels)];
    for (int i = 0; i < classMatrix.length; i++) {
      for (int j = 0; j < classMatrix[i].length; j++) {
        classMatrix[i][j] = classes.getIntVal(i * cols(classes) + j);
        labelMatrix[i][j] = labels.getStringVal(i * cols(labels) + j).toStringUtf8();
      }
    }
    return new ClassifierOutputs(floatMatrix(byName.get(ServingSignatures.PROBABILITIES)),
        floatMatrix(byName.get(ServingSignatures.LOGITS)), classMatrix, labelMatrix);
  }

  private static NamedTensorProto named(String name, TensorProto tensor) {
    return NamedTensorProto.newBuilder().setName(name).setTensor(tensor).build();
  }

  private static TensorProto.Builder matrix(DataType type, int rows, int cols) {
    return TensorProto.newBuilder().setDtype(type).setTensorShape(TensorShapeProto.newBuilder()
        .addDim(TensorShapeProto.Dim.newBuilder().setSize(rows))
        .addDim(TensorShapeProto.Dim.newBuilder().setSize(cols)));
  }

  private static TensorProto floats(float[][] m) {
    TensorProto.Builder b = matrix(DataType.DT_FLOAT, m.length, m[0].length);
    for (float[] row : m) {
      for (float v : row) {
        b.addFloatVal(v);
      }
    }
    return b.build();
  }

  private static TensorProto ints(int[][] m) {
    TensorProto.Builder b = matrix(DataType.DT_INT32, m.length, m[0].length);
    for (int[] row : m) {
      for (int v : row) {
        b.addIntVal(v);
      }
    }
    return b.build();
  }

  private static TensorProto strings(String[][] m) {
    TensorProto.Builder b = matrix(DataType.DT_STRING, m.length, m[0].length);
    for (String[] row : m) {
      for (String v : row) {
        b.addStringVal(com.google.protobuf.ByteString.copyFromUtf8(v));
      }
    }
    return b.build();
  }

  private static float[][] floatMatrix(TensorProto t) {
    float[][] m = new float[rows(t)][cols(t)];
    for (int i = 0; i < m.length; i++) {
      for (int j = 0; j < m[i].length; j++) {
        m[i][j] = t.getFloatVal(i * cols(t) + j);
      }
    }
    return m;
  }

  private static int rows(TensorProto t) {
    return (int) t.getTensorShape().getDim(0).getSize();
  }

  private static int cols(TensorProto t) {
    return (int) t.getTensorShape().getDim(1).getSize();
  }
}
