package org.stmzoo.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.stmzoo.layers.core.CheckpointOps;
import org.stmzoo.layers.core.ModelGraph;
import org.stmzoo.layers.core.ModelVariable;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.exceptions.TFInvalidArgumentException;
import org.tensorflow.ndarray.NdArrays;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.SavedModel;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.proto.TensorInfo;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TString;

/**
 * Exports {@link TinyClassifier} from a checkpoint of an ordinary (training-capable) graph and checks the
 * export against that graph: reloaded in a fresh JVM, through both signatures, and on bad input.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TinyExportTest {
  private static final int SIZE = TinyClassifier.SIZE;

  private Path root;
  private Path exportBase;
  private Graph graph;
  private Session session;
  private Placeholder<TFloat32> normalisedImages;
  private Operand<TFloat32> inProcessLogits;
  private SavedModelExporter.ExportResult result;
  private ExportedModel exported;

  @BeforeAll
  void exportFromCheckpoint() throws IOException {
    root = Files.createTempDirectory("stmzoo-export-test");
    graph = new Graph();
    ModelGraph model = ModelGraph.create(graph, 5L);
    Ops tf = model.tf();
    normalisedImages = tf.withName("input").placeholder(TFloat32.class,
        Placeholder.shape(Shape.of(-1, SIZE, SIZE, 3)));
    inProcessLogits = new TinyClassifier(model.root()).call(normalisedImages, model.training()).logits();
    CheckpointOps checkpoint = CheckpointOps.build(model, "checkpoint", model.modelVariables());
    // BatchNorm statistics away from 0/1, so that exporting them (or not) shows in the logits.
    List<org.tensorflow.op.Op> statistics = new ArrayList<>();
    for (ModelVariable v : model.modelVariables()) {
      if (v.path().endsWith("moving_mean") || v.path().endsWith("moving_variance")) {
        float[] values = new float[(int) v.size()];
        for (int i = 0; i < values.length; i++) {
          values[i] = v.path().endsWith("mean") ? 0.1f * (i - 3) : 0.5f + 0.2f * i;
        }
        statistics.add(tf.assignVariableOp(v.handle(), tf.constant(values)));
      }
    }
    assertThat(statistics).hasSize(2);
    session = new Session(graph);
    session.runner().addTarget(model.initializer()).run();
    statistics.forEach(op -> session.runner().addTarget(op).run());
    Path prefix = root.resolve("checkpoint").resolve("model");
    Files.createDirectories(prefix.getParent());
    checkpoint.save(session, prefix.toString());

    exportBase = root.resolve("served");
    result = SavedModelExporter.export(TinyClassifier.request(WeightSource.checkpoint(prefix)), exportBase, 3);
    exported = ExportedModel.load(exportBase);
  }

  @AfterAll
  void cleanUp() throws IOException {
    exported.close();
    session.close();
    graph.close();
    try (Stream<Path> files = Files.walk(root)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  private float[][] inProcess(TFloat32 pixels) {
    try (TFloat32 input = ImagePipeline.normaliseOnHost(pixels, TinyClassifier.PREPROCESSING);
        Tensor logits = session.runner().feed(normalisedImages, input).fetch(inProcessLogits).run().get(0)) {
      return ClassifierOutputs.toMatrix((TFloat32) logits);
    }
  }

  @Test
  void freshJvmReloadComputesTheInProcessModel() throws IOException {
    float[][] expected;
    try (TFloat32 probe = ProbeImages.create(2, SIZE, SIZE)) {
      expected = inProcess(probe);
    }
    ClassifierOutputs fresh = ExportRunner.inFreshJvm(exportBase, "--probe", "2");

    double diff = ClassifierOutputs.maxAbsDifference(expected, fresh.logits());
    System.out.printf("tiny classifier: fresh-JVM reload vs in-process, max |logit diff| = %.3g%n", diff);
    assertThat(diff).isLessThanOrEqualTo(1e-5);
    assertThat(result.verifyReload()).isLessThanOrEqualTo(1e-6);
    for (int b = 0; b < 2; b++) {
      double[] softmax = softmax(expected[b]);
      for (int j = 0; j < softmax.length; j++) {
        assertThat((double) fresh.probabilities()[b][j]).isCloseTo(softmax[j], org.assertj.core.data.Offset.offset(1e-6));
      }
      int[] top5 = topIndices(expected[b], 5);
      assertThat(fresh.classes()[b]).containsExactly(top5);
      assertThat(fresh.labels()[b]).containsExactly(
          Arrays.stream(top5).mapToObj(TinyClassifier.CLASSES::get).toArray(String[]::new));
    }
  }

  @Test
  void aFreshJvmThatOverrunsItsTimeIsStoppedAndReported() {
    // the child's output used to be read to its end before the timeout was checked, so it never applied
    assertThatThrownBy(() -> ExportRunner.inFreshJvm(Duration.ofMillis(1), exportBase, "--probe", "2"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("the fresh JVM did not finish within PT0.001S");
  }

  @Test
  void savedModelDeclaresTheServingTagAndBothSignatures() throws IOException {
    SavedModel saved = SavedModel.parseFrom(Files.readAllBytes(result.directory().resolve("saved_model.pb")));
    assertThat(result.directory()).isEqualTo(exportBase.resolve("3"));
    assertThat(saved.getMetaGraphsCount()).isEqualTo(1);
    MetaGraphDef meta = saved.getMetaGraphs(0);
    assertThat(meta.getMetaInfoDef().getTagsList()).containsExactly("serve");
    assertThat(meta.getSignatureDefMap()).containsOnlyKeys("serving_default", "predict_image_bytes");

    SignatureDef floats = meta.getSignatureDefOrThrow("serving_default");
    SignatureDef bytes = meta.getSignatureDefOrThrow("predict_image_bytes");
    assertThat(floats.getMethodName()).isEqualTo("tensorflow/serving/predict");
    assertThat(bytes.getMethodName()).isEqualTo("tensorflow/serving/predict");
    assertTensor(floats.getInputsOrThrow("images"), DataType.DT_FLOAT, -1, -1, -1, 3);
    assertTensor(bytes.getInputsOrThrow("image_bytes"), DataType.DT_STRING, -1);
    int classes = TinyClassifier.CLASSES.size();
    for (SignatureDef def : List.of(floats, bytes)) {
      assertThat(def.getOutputsMap()).containsOnlyKeys("probabilities", "logits", "classes", "labels", "features");
      assertTensor(def.getOutputsOrThrow("probabilities"), DataType.DT_FLOAT, -1, classes);
      assertTensor(def.getOutputsOrThrow("logits"), DataType.DT_FLOAT, -1, classes);
      assertTensor(def.getOutputsOrThrow("classes"), DataType.DT_INT32, -1, 5);
      assertTensor(def.getOutputsOrThrow("labels"), DataType.DT_STRING, -1, 5);
    }

    Set<String> nodes = new HashSet<>();
    meta.getGraphDef().getNodeList().forEach(n -> nodes.add(n.getName()));
    for (TensorInfo info : concat(floats, bytes)) {
      assertThat(nodes).contains(info.getName().substring(0, info.getName().indexOf(':')));
    }
    assertThat(nodes).contains(meta.getSaverDef().getRestoreOpName(),
        meta.getSaverDef().getFilenameTensorName().replace(":0", ""));
    assertThat(result.directory().resolve("variables/variables.index")).isRegularFile();
    assertThat(result.directory().resolve("variables/variables.data-00000-of-00001")).isRegularFile();
    // conv kernel+bias, BatchNorm gamma/beta/mean/variance, head kernel+bias
    assertThat(meta.getCollectionDefOrThrow("variables").getBytesList().getValueCount()).isEqualTo(8);
    assertThat(meta.getCollectionDefOrThrow("trainable_variables").getBytesList().getValueCount()).isEqualTo(6);
  }

  private static List<TensorInfo> concat(SignatureDef... defs) {
    List<TensorInfo> all = new ArrayList<>();
    for (SignatureDef d : defs) {
      all.addAll(d.getInputsMap().values());
      all.addAll(d.getOutputsMap().values());
    }
    return all;
  }

  private static void assertTensor(TensorInfo info, DataType type, long... dims) {
    assertThat(info.getDtype()).isEqualTo(type);
    assertThat(info.getTensorShape().getDimList().stream().mapToLong(d -> d.getSize()).toArray())
        .containsExactly(dims);
  }

  @Test
  void theExportedNetworkHasNoTrainingOps() throws IOException {
    MetaGraphDef meta = exported.bundle().metaGraphDef();
    GraphDef graphDef = meta.getGraphDef();
    Map<String, NodeDef> byName = new HashMap<>();
    graphDef.getNodeList().forEach(n -> byName.put(n.getName(), n));
    String logits = meta.getSignatureDefOrThrow("serving_default").getOutputsOrThrow("logits").getName();
    Set<String> reached = new HashSet<>();
    Deque<String> todo = new ArrayDeque<>(List.of(logits.substring(0, logits.indexOf(':'))));
    while (!todo.isEmpty()) {
      NodeDef node = byName.get(todo.pop());
      if (node != null && reached.add(node.getName())) {
        node.getInputList().forEach(in -> todo.push(in.replaceFirst("^\\^", "").replaceFirst(":\\d+$", "")));
      }
    }
    Set<String> types = new HashSet<>();
    reached.forEach(n -> types.add(byName.get(n).getOp()));
    // dropout would need random numbers; a training switch would be a placeholder
    assertThat(types).noneMatch(t -> t.contains("Random"));
    assertThat(reached).noneMatch(n -> n.equals("training") && byName.get(n).getOp().startsWith("Placeholder"));
    assertThat(types).contains("Conv2D", "ReadVariableOp");
    assertThat(graphDef.getNodeList()).noneMatch(n -> n.getName().contains("optimizer") || n.getName().contains("slot"));
  }

  @Test
  void modelCardDescribesTheModel() throws IOException {
    String json = Files.readString(result.directory().resolve("stmzoo.json"));
    assertThat(json).contains("\"input_size\" : 32", "\"class_names\"", "\"crop_pct\" : 0.875",
        "\"reference\" : \"tiny_reference\"");
    ModelCard card = exported.card();
    assertThat(card.name()).isEqualTo("tiny");
    assertThat(card.parameters()).isEqualTo(3 * 3 * 3 * 8 + 8 + 2 * 8 + 8 * 7 + 7);
    assertThat(card.classNames()).isEqualTo(TinyClassifier.CLASSES);
    assertThat(card.preprocessing().mean()).containsExactly(TinyClassifier.PREPROCESSING.mean());
    assertThat(card.preprocessing().interpolation()).isEqualTo("bicubic");
    assertThat(card.weights()).startsWith("checkpoint ");
    assertThat(card.trainingSummary()).isNull();
  }

  @Test
  void pngBytesGiveTheFloatSignatureOfTheDecodedCrop() {
    // 36 = floor(32 / 0.875): the shorter side needs no resize, so the crop is exact (offsets 2 and 8).
    int[][][] rgb = TestImages.pattern(36, 48, 1);
    ClassifierOutputs fromBytes = exported.classifyEncoded(List.of(TestImages.encode(rgb, "png")));
    try (TFloat32 crop = TestImages.crop(rgb, 2, 8, SIZE)) {
      ClassifierOutputs fromFloats = exported.classify(crop);
      assertSameOutputs(fromBytes, fromFloats, 1e-6);
      assertThat(ClassifierOutputs.maxAbsDifference(inProcess(crop), fromBytes.logits())).isLessThanOrEqualTo(1e-5);
    }
  }

  @Test
  void jpegBytesAreDecodedExactlyAsTheInProcessDecoderDecodesThem() throws IOException {
    // 48x36: the shorter side is already floor(32 / 0.875) = 36, so the crop (offsets 8 and 2) is decoded pixels.
    // DecodeImage's fast IDCT put most of these values 1-4 levels off.
    byte[] jpeg = TestImages.encode(TestImages.detailed(48, 36, 2), "jpg");
    try (TFloat32 crop = TestImages.crop(TestImages.decodeInProcess(jpeg), 8, 2, SIZE);
        TFloat32 served = decodedCrop(jpeg)) {
      assertSameValues(served, crop);
      assertSameOutputs(exported.classifyEncoded(List.of(jpeg)), exported.classify(crop), 1e-6);
    }
  }

  @Test
  void decodingResizesTheShorterSideAndCentreCropsLikeTheReference() {
    // 64x80 -> shorter side 36: 36x45; crop offsets round((36-32)/2) = 2 and round-half-even(6.5) = 6.
    int[][][] rgb = TestImages.pattern(64, 80, 3);
    double[][][] resized = ReferenceResize.resize(ReferenceResize.toDouble(rgb), 36, 45);
    try (TFloat32 decoded = decodedCrop(TestImages.encode(rgb, "png"))) {
      assertThat(decoded.shape().asArray()).containsExactly(1, SIZE, SIZE, 3);
      int off = 0;
      double maxDiff = 0;
      for (int y = 0; y < SIZE; y++) {
        for (int x = 0; x < SIZE; x++) {
          for (int c = 0; c < 3; c++) {
            double want = Math.max(0, Math.min(255, Math.floor(resized[y + 2][x + 6][c] + 0.5)));
            double diff = Math.abs(decoded.getFloat(0, y, x, c) - want);
            maxDiff = Math.max(maxDiff, diff);
            off += diff > 0 ? 1 : 0;
          }
        }
      }
      System.out.printf("decode+resize+crop vs reference resampler: max diff %.1f, %d of %d values differ%n",
          maxDiff, off, SIZE * SIZE * 3);
      assertThat(maxDiff).isLessThanOrEqualTo(1.0);
      assertThat(off).isLessThan(SIZE * SIZE * 3 / 100);
    }
  }

  @Test
  void anImageOverTheDecodersLimitsIsRefusedInOneLineInsteadOfResizedIntoGigabytes() {
    // 1 x 20000 pixels: resized on its shorter side, the graph made it a 36 x 720000 float image before cropping
    byte[] line = TestImages.encode(TestImages.pattern(1, 20000, 9), "png");
    assertThatThrownBy(() -> exported.classifyEncoded(List.of(line))).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("image_bytes[0]: image of 20000x1 pixels is more than 100 times longer than wide"
            + " (-Dstmzoo.limit.image-aspect=N)");
    // what a TF Serving client sees: the graph's own check, before any resizing
    try (TString bytes = TString.tensorOfBytes(NdArrays.vectorOfObjects(line))) {
      assertThatThrownBy(() -> exported.bundle().function("predict_image_bytes").call(Map.of("image_bytes", bytes)))
          .isInstanceOf(TFInvalidArgumentException.class)
          .hasMessageContaining("image over the export's limits (at most 100000000 pixels, the longer side at most"
              + " 100 times the shorter: stmzoo.limit.image-pixels and stmzoo.limit.image-aspect when it was"
              + " exported)");
    }
  }

  private static final String OVER_THE_LIMITS = "image over the export's limits (at most 100000000 pixels, the"
      + " longer side at most 100 times the shorter: stmzoo.limit.image-pixels and stmzoo.limit.image-aspect when it"
      + " was exported)";

  /** What predict_image_bytes answers a TF Serving client for {@code encoded}: the graph alone, no Java check. */
  private void assertServedRefusal(byte[] encoded, String message) {
    try (TString bytes = TString.tensorOfBytes(NdArrays.vectorOfObjects(encoded))) {
      assertThatThrownBy(() -> exported.bundle().function("predict_image_bytes").call(Map.of("image_bytes", bytes)))
          .isInstanceOf(TFInvalidArgumentException.class)
          .hasMessageContaining(message);
    }
  }

  @Test
  void headersDeclaringTooManyPixelsAreRefusedWithoutDecodingTheImage() {
    // Each file is small and declares more than 100 megapixels; its pixel data is missing or far too short, so a
    // decode would fail with the decoder's own message (or, for the JPEG, libjpeg would fill the missing rows):
    // the limits message shows that the header check refused it before any decode ran.
    byte[] ihdr = ByteBuffer.allocate(13).putInt(23170).putInt(23170).put(new byte[] {1, 0, 0, 0, 0}).array();
    byte[] png = concat(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'}, pngChunk("IHDR", ihdr),
        pngChunk("IEND", new byte[0]));
    assertServedRefusal(png, OVER_THE_LIMITS);

    byte[] jpeg = TestImages.encode(TestImages.pattern(16, 16, 20), "jpg");
    int sof = indexOf(jpeg, new byte[] {(byte) 0xff, (byte) 0xc0});
    ByteBuffer.wrap(jpeg, sof + 5, 4).putShort((short) 20000).putShort((short) 20000);
    assertServedRefusal(jpeg, OVER_THE_LIMITS);

    byte[] bmp = TestImages.encode(TestImages.pattern(4, 4, 21), "bmp");
    // a top-down BMP (negative height) counts its height's magnitude
    ByteBuffer.wrap(bmp, 18, 8).order(ByteOrder.LITTLE_ENDIAN).putInt(20000).putInt(-20000);
    assertServedRefusal(bmp, OVER_THE_LIMITS);

    // TF sizes a GIF by its largest frame, whatever the logical screen says: a 1 x 1 screen, a 12000 x 12000 frame
    byte[] gif = TestImages.encode(TestImages.pattern(4, 4, 22), "gif");
    ByteBuffer.wrap(gif, 6, 4).order(ByteOrder.LITTLE_ENDIAN).putShort((short) 1).putShort((short) 1);
    ByteBuffer.wrap(gif, firstGifFrame(gif) + 5, 4).order(ByteOrder.LITTLE_ENDIAN).putShort((short) 12000)
        .putShort((short) 12000);
    assertServedRefusal(gif, OVER_THE_LIMITS);
  }

  @Test
  void aGifWhoseFramesTogetherExceedThePixelLimitIsRefusedWithoutDecodingIt() {
    // TF's decoder reads every frame into memory: 101 frames of 1000 x 1000, each within the limits alone
    byte[] frame = concat(new byte[] {0x2c, 0, 0, 0, 0, (byte) 0xe8, 0x03, (byte) 0xe8, 0x03, 0},
        new byte[] {2, 2, 0x4c, 0x01, 0});
    byte[][] parts = new byte[103][];
    parts[0] = new byte[] {'G', 'I', 'F', '8', '9', 'a', (byte) 0xe8, 0x03, (byte) 0xe8, 0x03, (byte) 0x80, 0, 0,
        0, 0, 0, (byte) 0xff, (byte) 0xff, (byte) 0xff};
    Arrays.fill(parts, 1, 102, frame);
    parts[102] = new byte[] {0x3b};
    assertServedRefusal(concat(parts), "GIF over the export's limits: its frames together have more than 100000000"
        + " pixels (TF's decoder reads every frame of an animation; stmzoo.limit.image-pixels when it was exported)");
  }

  /**
   * A GIF of hostile one-byte sub-blocks: the frame walk stops at ImagePipeline.maxGifBlocks() blocks (about 25 us
   * each, some 16 s) and refuses the GIF, rather than walk a 256 MB file of them for over an hour.
   */
  @Test
  void aGifOfMoreBlocksThanTheWalkTakesIsRefused() {
    int subBlocks = (int) ImagePipeline.maxGifBlocks() + 10;
    byte[] data = new byte[subBlocks * 2 + 1]; // a 1x1 frame's LZW data cut into one-byte sub-blocks, then 0
    for (int i = 0; i < subBlocks; i++) {
      data[2 * i] = 1;
    }
    byte[] gif = concat(new byte[] {'G', 'I', 'F', '8', '9', 'a', 1, 0, 1, 0, 0, 0, 0},
        new byte[] {0x2c, 0, 0, 0, 0, 1, 0, 1, 0, 0, 2}, data, new byte[] {0x3b});
    assertServedRefusal(gif, "GIF over the export's limits: more than 653771 blocks to walk");
  }

  @Test
  void cutAndGarbageHeadersAreRefusedCleanlyAndTheModelSurvivesThem() {
    byte[] png = TestImages.encode(TestImages.pattern(36, 48, 23), "png");
    byte[] jpeg = TestImages.encode(TestImages.pattern(36, 48, 23), "jpg");
    byte[] bmp = TestImages.encode(TestImages.pattern(36, 48, 23), "bmp");
    byte[] gif = TestImages.encode(TestImages.pattern(36, 48, 23), "gif");
    for (byte[] whole : List.of(png, jpeg, bmp, gif)) {
      for (int length : new int[] {2, 3, 4, 8, 12, 20, 30}) {
        byte[] cut = Arrays.copyOf(whole, length);
        try (TString bytes = TString.tensorOfBytes(NdArrays.vectorOfObjects(cut))) {
          assertThatThrownBy(() -> exported.bundle().function("predict_image_bytes")
              .call(Map.of("image_bytes", bytes))).as("%d bytes of %s", length, new String(whole, 0, 4,
                  StandardCharsets.ISO_8859_1)).isInstanceOf(TFInvalidArgumentException.class);
        }
      }
    }
    // the magic bytes, then garbage
    byte[] garbage = new byte[64];
    new java.util.Random(24).nextBytes(garbage);
    for (byte[] magic : List.<byte[]>of(new byte[] {(byte) 0x89, 'P', 'N', 'G'}, new byte[] {(byte) 0xff, (byte) 0xd8,
        (byte) 0xff}, new byte[] {'B', 'M'}, new byte[] {'G', 'I', 'F', '8', '9', 'a'})) {
      try (TString bytes = TString.tensorOfBytes(NdArrays.vectorOfObjects(concat(magic, garbage)))) {
        assertThatThrownBy(() -> exported.bundle().function("predict_image_bytes").call(Map.of("image_bytes", bytes)))
            .isInstanceOf(TFInvalidArgumentException.class);
      }
    }
    assertThat(exported.classifyEncoded(List.of(png, jpeg, bmp, gif)).batch()).isEqualTo(4);
  }

  @Test
  void aGifIsDecodedAsTheInProcessDecoderDecodesIt() throws IOException {
    byte[] gif = TestImages.encode(TestImages.pattern(36, 48, 25), "gif");
    try (TFloat32 served = decodedCrop(gif);
        TFloat32 window = TestImages.crop(TestImages.decodeInProcess(gif), 2, 8, SIZE)) {
      assertSameValues(served, window);
    }
  }

  private static byte[] pngChunk(String type, byte[] data) {
    CRC32 crc = new CRC32();
    crc.update(type.getBytes(StandardCharsets.ISO_8859_1));
    crc.update(data);
    return ByteBuffer.allocate(12 + data.length).putInt(data.length).put(type.getBytes(StandardCharsets.ISO_8859_1))
        .put(data).putInt((int) crc.getValue()).array();
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] part : parts) {
      out.writeBytes(part);
    }
    return out.toByteArray();
  }

  private static int indexOf(byte[] bytes, byte[] pattern) {
    for (int i = 0; i + pattern.length <= bytes.length; i++) {
      if (Arrays.equals(bytes, i, i + pattern.length, pattern, 0, pattern.length)) {
        return i;
      }
    }
    throw new AssertionError("pattern not found");
  }

  /** The offset of a GIF's first image descriptor: past the header, the global colour table and any extensions. */
  private static int firstGifFrame(byte[] gif) {
    int p = 13 + ((gif[10] & 0x80) != 0 ? 3 << ((gif[10] & 7) + 1) : 0);
    while (gif[p] == 0x21) {
      p += 2;
      while (gif[p] != 0) {
        p += (gif[p] & 0xff) + 1;
      }
      p++;
    }
    assertThat(gif[p]).as("image descriptor").isEqualTo((byte) 0x2c);
    return p;
  }

  @Test
  void aWideImageWithinTheLimitsIsCroppedAtItsCentre() {
    // 36 x 3000: no resize (the shorter side is already 36), crop offsets 2 and rint(2968 / 2) = 1484
    int[][][] rgb = TestImages.pattern(36, 3000, 10);
    try (TFloat32 served = decodedCrop(TestImages.encode(rgb, "png"));
        TFloat32 window = TestImages.crop(rgb, 2, 1484, SIZE)) {
      assertSameValues(served, window);
    }
  }

  @Test
  void aPaletteBmpIsRefusedWhereATrueColourOneIsDecoded() {
    int[][][] rgb = TestImages.pattern(36, 48, 11);
    try (TFloat32 served = decodedCrop(TestImages.encode(rgb, "bmp"));
        TFloat32 window = TestImages.crop(rgb, 2, 8, SIZE)) {
      assertSameValues(served, window);
    }
    BufferedImage indexed = new BufferedImage(48, 36, BufferedImage.TYPE_BYTE_INDEXED);
    indexed.getGraphics().drawImage(TestImages.image(rgb), 0, 0, null);
    byte[] palette = EncodedImages.encode(indexed, "bmp");
    assertThat(palette[28]).as("bits per pixel").isEqualTo((byte) 8);
    // TF's decoder would classify the colour indices as a grey image
    assertThatThrownBy(() -> exported.classifyEncoded(List.of(palette))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("only 24- and 32-bit BMP images are decoded");
  }

  private static void assertSameValues(TFloat32 actual, TFloat32 expected) {
    assertThat(actual.shape()).isEqualTo(expected.shape());
    expected.scalars().forEachIndexed((idx, v) -> assertThat(actual.getFloat(idx))
        .as("value at %s", Arrays.toString(idx)).isEqualTo(v.getFloat()));
  }

  /** What predict_image_bytes hands the network for one image: the decoded crop, float 0-255 [1, S, S, 3]. */
  private TFloat32 decodedCrop(byte[] encoded) {
    try (TString bytes = TString.tensorOfBytes(NdArrays.vectorOfObjects(encoded))) {
      return (TFloat32) exported.bundle().session().runner()
          .feed(inputName("predict_image_bytes", "image_bytes"), bytes)
          .fetch(inputName("serving_default", "images")).run().get(0);
    }
  }

  private String inputName(String signature, String input) {
    return exported.bundle().metaGraphDef().getSignatureDefOrThrow(signature).getInputsOrThrow(input).getName();
  }

  @Test
  void aBatchOfDifferentlySizedImagesIsMappedImageByImage() {
    List<byte[]> images = List.of(
        TestImages.encode(TestImages.pattern(36, 48, 4), "png"),
        TestImages.encode(TestImages.pattern(50, 40, 5), "jpg"),
        TestImages.encode(TestImages.pattern(64, 80, 6), "png"));
    ClassifierOutputs batch = exported.classifyEncoded(images);
    assertThat(batch.batch()).isEqualTo(3);
    for (int i = 0; i < images.size(); i++) {
      ClassifierOutputs single = exported.classifyEncoded(List.of(images.get(i)));
      assertThat(batch.logits()[i]).containsExactly(single.logits()[0], org.assertj.core.data.Offset.offset(1e-6f));
      assertThat(batch.labels()[i]).containsExactly(single.labels()[0]);
    }
  }

  @Test
  void theFloatSignatureResizesOtherSizes() {
    int[][][] rgb = TestImages.pattern(48, 48, 7);
    double[][][] resized = ReferenceResize.resize(ReferenceResize.toDouble(rgb), SIZE, SIZE);
    try (TFloat32 big = TestImages.crop(rgb, 0, 0, 48);
        TFloat32 small = TFloat32.tensorOf(Shape.of(1, SIZE, SIZE, 3),
            t -> t.scalars().forEachIndexed((idx, v) -> v.setFloat((float) resized[(int) idx[1]][(int) idx[2]][(int) idx[3]])))) {
      double diff = ClassifierOutputs.maxAbsDifference(inProcess(small), exported.classify(big).logits());
      assertThat(diff).isLessThanOrEqualTo(1e-4);
    }
  }

  @Test
  void badInputsAreClearErrorsAndTheModelSurvivesThem() {
    try (TString words = TString.vectorOf("not", "pixels")) {
      assertThatThrownBy(() -> exported.run("serving_default", "images", words))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("expects images as DT_FLOAT [?, ?, ?, 3], got DT_STRING [2]");
    }
    try (TFloat32 rgba = TFloat32.tensorOf(Shape.of(1, SIZE, SIZE, 4))) {
      assertThatThrownBy(() -> exported.classify(rgba)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("got DT_FLOAT [1, 32, 32, 4]");
      // Past the Java check, the graph's own assertion answers (what a TF Serving client would see).
      assertThatThrownBy(() -> exported.bundle().function("serving_default").call(Map.of("images", rgba)))
          .isInstanceOf(TFInvalidArgumentException.class)
          .hasMessageContaining("images must be float32 [batch, height, width, 3]");
    }
    try (TFloat32 empty = TFloat32.tensorOf(Shape.of(0, SIZE, SIZE, 3))) {
      assertThatThrownBy(() -> exported.classify(empty)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("no empty dimension");
    }
    byte[] png = TestImages.encode(TestImages.pattern(36, 48, 8), "png");
    assertThatThrownBy(() -> exported.classifyEncoded(List.of(Arrays.copyOf(png, png.length / 2))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("predict_image_bytes rejected its input");
    assertThatThrownBy(() -> exported.classifyEncoded(List.of("just text".getBytes(StandardCharsets.UTF_8))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Unknown image file format");
    assertThatThrownBy(() -> exported.classifyEncoded(List.of()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no images given");
    try (TString scalar = TString.scalarOf("one image, not a batch")) {
      assertThatThrownBy(() -> exported.bundle().function("predict_image_bytes").call(Map.of("image_bytes", scalar)))
          .isInstanceOf(TFInvalidArgumentException.class)
          .hasMessageContaining("image_bytes must be a non-empty string vector [batch]");
    }

    assertThat(exported.classifyEncoded(List.of(png)).top(0)).hasSize(5);
  }

  private static void assertSameOutputs(ClassifierOutputs a, ClassifierOutputs b, double tolerance) {
    assertThat(ClassifierOutputs.maxAbsDifference(a.logits(), b.logits())).isLessThanOrEqualTo(tolerance);
    assertThat(ClassifierOutputs.maxAbsDifference(a.probabilities(), b.probabilities())).isLessThanOrEqualTo(tolerance);
    assertThat(a.classes()).isDeepEqualTo(b.classes());
    assertThat(a.labels()).isDeepEqualTo(b.labels());
  }

  private static double[] softmax(float[] logits) {
    double max = IntStream.range(0, logits.length).mapToDouble(i -> logits[i]).max().orElseThrow();
    double[] e = IntStream.range(0, logits.length).mapToDouble(i -> Math.exp(logits[i] - max)).toArray();
    double sum = Arrays.stream(e).sum();
    return Arrays.stream(e).map(v -> v / sum).toArray();
  }

  private static int[] topIndices(float[] values, int k) {
    return IntStream.range(0, values.length).boxed()
        .sorted((i, j) -> Float.compare(values[j], values[i])).limit(k).mapToInt(Integer::intValue).toArray();
  }
}
