package org.stmzoo.export;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
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
  /** How long {@link #inFreshJvm(Path, String...)} waits for the JVM it starts. */
  static final Duration FRESH_JVM_TIMEOUT = Duration.ofMinutes(10);

  private static final String USAGE = "usage: ExportRunner MODEL_DIR OUT_FILE (--probe BATCH | IMAGE...)";

  private ExportRunner() {}

  /**
   * What to run: {@code probeBatch} probe images, or else the encoded images in {@code images}.
   *
   * @param probeBatch the probe batch of {@code --probe BATCH}, 0 for image files
   */
  record Arguments(Path modelDir, Path outFile, int probeBatch, List<Path> images) {
    /** {@link #main}'s arguments, or an IllegalArgumentException saying what is wrong with them. */
    static Arguments parse(String... args) {
      if (args.length < 3) {
        throw new IllegalArgumentException("expected MODEL_DIR, OUT_FILE and --probe BATCH or images");
      }
      Path modelDir = Path.of(args[0]);
      Path outFile = Path.of(args[1]);
      if (!args[2].equals("--probe")) {
        return new Arguments(modelDir, outFile, 0,
            Arrays.stream(args, 2, args.length).map(Path::of).toList());
      }
      if (args.length != 4) {
        throw new IllegalArgumentException("--probe takes one batch size, e.g. --probe 2");
      }
      int batch;
      try {
        batch = Integer.parseInt(args[3]);
      } catch (NumberFormatException e) {
        batch = 0;
      }
      if (batch <= 0) {
        throw new IllegalArgumentException("--probe needs a positive batch size, got '" + args[3] + "'");
      }
      return new Arguments(modelDir, outFile, batch, List.of());
    }
  }

  public static void main(String[] args) throws IOException {
    Arguments arguments;
    try {
      arguments = Arguments.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.err.println(USAGE);
      System.exit(2);
      return;
    }
    try (ExportedModel model = ExportedModel.load(arguments.modelDir())) {
      ClassifierOutputs outputs;
      if (arguments.probeBatch() > 0) {
        int size = model.card().inputSize();
        try (TFloat32 probe = ProbeImages.create(arguments.probeBatch(), size, size)) {
          outputs = model.classify(probe);
        }
      } else {
        List<byte[]> images = new ArrayList<>();
        for (Path image : arguments.images()) {
          images.add(Files.readAllBytes(image));
        }
        outputs = model.classifyEncoded(images);
      }
      write(outputs, arguments.outFile());
    }
  }

  /**
   * Runs this class in a new JVM (same Java, same class path) and returns what it computed.
   *
   * @param inputs {@code --probe N} or image files, as for {@link #main}
   */
  public static ClassifierOutputs inFreshJvm(Path modelDir, String... inputs) throws IOException {
    return inFreshJvm(FRESH_JVM_TIMEOUT, modelDir, inputs);
  }

  /**
   * As {@link #inFreshJvm(Path, String...)}, stopping the JVM if it runs longer than {@code timeout}. Its output
   * goes to a file rather than a pipe: reading a pipe to its end would wait for the JVM to exit, however long.
   */
  static ClassifierOutputs inFreshJvm(Duration timeout, Path modelDir, String... inputs) throws IOException {
    Path out = Files.createTempFile("stmzoo-export-run", ".pb");
    Path log = Files.createTempFile("stmzoo-export-run", ".log");
    try {
      List<String> arguments = new ArrayList<>(List.of(modelDir.toString(), out.toString()));
      arguments.addAll(List.of(inputs));
      Arguments.parse(arguments.toArray(String[]::new)); // bad inputs fail here, in one line, not in the child
      List<String> command = new ArrayList<>(List.of(
          Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-cp", System.getProperty("java.class.path"), ExportRunner.class.getName()));
      command.addAll(arguments);
      Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly().waitFor();
        throw new IllegalStateException("the fresh JVM did not finish within " + timeout + "; its output:\n"
            + Files.readString(log, StandardCharsets.UTF_8));
      }
      if (process.exitValue() != 0) {
        throw new IllegalStateException("the fresh JVM failed (exit code " + process.exitValue() + "):\n"
            + Files.readString(log, StandardCharsets.UTF_8));
      }
      return read(out);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(log);
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
