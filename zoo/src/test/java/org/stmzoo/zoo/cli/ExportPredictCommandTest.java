package org.stmzoo.zoo.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.stmzoo.export.ExportedModel;
import org.stmzoo.export.ModelCard;
import org.stmzoo.export.ServingSignatures;
import org.stmzoo.layers.core.OneDnnOps;
import org.tensorflow.Result;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.RunOptions;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.types.TFloat32;

/** {@code ./stmzoo export} and {@code ./stmzoo predict} end to end, through {@link Main#run}. */
class ExportPredictCommandTest {
  private static final List<String> LABELS = List.of("ant", "bat", "cow", "doe", "elk", "fox", "gar", "hen", "ibis", "jay");

  @TempDir
  Path dir;

  /** Exit code and standard output of one command. */
  record Run(int code, String out) {}

  private static Run run(String... args) {
    PrintStream original = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      int code = Main.run(args);
      return new Run(code, captured.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(original);
    }
  }

  @Test
  void exportsThenPredictsTopFiveWithLabels() throws IOException {
    Path labels = Files.write(dir.resolve("labels.txt"), LABELS);
    Path served = dir.resolve("served");
    // what an export killed partway leaves: its staging folder and the lock file beside it, no longer locked
    Path abandoned = Files.createDirectories(served.resolve(".1-incomplete-k1lled"));
    Files.write(abandoned.resolve("saved_model.pb"), new byte[2048]);
    Files.createFile(served.resolve(".1-incomplete-k1lled.lock"));
    Path abandonedRealPath = abandoned.toRealPath();
    Run export = run("export", "--model", "u-convnext-micro", "--image-size", "32", "--labels", labels.toString(),
        "--output", served.toString(), "--version", "2");
    assertThat(export.code()).as(export.out()).isZero();
    assertThat(export.out()).contains("note: removed " + abandonedRealPath + " (2.0 kB), left by an export that did"
        + " not finish");
    assertThat(served).isDirectoryNotContaining(p -> p.getFileName().toString().startsWith(".1-incomplete"));
    assertThat(served.resolve("2/saved_model.pb")).isRegularFile();
    ModelCard card = ModelCard.read(served.resolve("2/stmzoo.json"));
    assertThat(card.classNames()).isEqualTo(LABELS);
    assertThat(card.inputSize()).isEqualTo(32);
    assertThat(card.name()).isEqualTo("u-convnext-micro");

    Path image = writePng(dir.resolve("image.png"), 40, 60);
    Path notAnImage = Files.writeString(dir.resolve("notes.txt"), "not an image");
    Run predict = run("predict", "--model-dir", served.toString(), image.toString(), notAnImage.toString(),
        dir.resolve("missing.jpg").toString(), "--json");
    assertThat(predict.code()).isEqualTo(1);
    JsonNode results = new ObjectMapper().readTree(predict.out());
    assertThat(results).hasSize(3);
    JsonNode top = results.get(0).get("top");
    assertThat(top).hasSize(5);
    double previous = 1;
    for (JsonNode scored : top) {
      assertThat(LABELS).contains(scored.get("label").asText());
      assertThat(scored.get("label").asText()).isEqualTo(LABELS.get(scored.get("class").asInt()));
      assertThat(scored.get("probability").asDouble()).isBetween(0.0, previous);
      previous = scored.get("probability").asDouble();
    }
    assertThat(results.get(1).get("error").asText()).contains("Unknown image file format")
        .endsWith(" (predict --checkpoint also reads PPM, TIFF and WebP)");
    assertThat(results.get(2).get("error").asText()).endsWith(": no such file");

    Run table = run("predict", "--model-dir", served.toString(), image.toString());
    assertThat(table.code()).isZero();
    assertThat(table.out()).contains(image.toString(), "  1. ", "  5. ").doesNotContain("  6. ");
  }

  /**
   * Row streams cut each image's tokens, batch streams the batch (predict sends one image: two parts, one padding);
   * the fused LayerNorm's form is what TF runs as oneDNN's kernel where it fuses it.
   */
  @Test
  void anExportWithRowOrBatchStreamsOrFusedLayerNormServesTheSameProbabilities() throws IOException {
    List<String> images = List.of(writePng(dir.resolve("a.png"), 40, 60).toString(),
        writePng(dir.resolve("b.png"), 32, 32).toString(), writePng(dir.resolve("c.png"), 70, 50).toString());
    List<String> outputs = new java.util.ArrayList<>();
    for (String variant : List.of("none", "--row-streams", "--batch-streams", "both-streams", "--fused-layer-norm")) {
      Path served = dir.resolve("served-" + variant);
      List<String> export = new java.util.ArrayList<>(List.of("export", "--model", "deit-tiny", "--image-size", "32",
          "--output", served.toString()));
      boolean streams = variant.endsWith("-streams");
      boolean fused = variant.equals("--fused-layer-norm");
      if (variant.equals("both-streams")) {
        // the two compose: each part of the batch through the network built as row streams
        export.addAll(List.of("--row-streams", "2", "--batch-streams", "2"));
      } else if (streams) {
        export.addAll(List.of(variant, "2"));
      } else if (fused) {
        export.add(variant);
      }
      Run exported = run(export.toArray(String[]::new));
      assertThat(exported.code()).as(exported.out()).isZero();
      String graph = new String(Files.readAllBytes(served.resolve("1/saved_model.pb")), StandardCharsets.ISO_8859_1);
      assertThat(graph.contains("SplitV")).as("cut by %s", variant).isEqualTo(streams);
      assertThat(graph.contains("FusedBatchNormV3")).as("fusible LayerNorm in %s", variant).isEqualTo(fused);
      if (fused) {
        // DeiT-tiny's 25 LayerNorms (two per block, the final one): all fused where TF fuses the form here
        assertThat(servedOps(served.resolve("1")).stream().filter(op -> op.equals("_MklLayerNorm")).count())
            .isEqualTo(OneDnnOps.remapperFusesLayerNorm(ConfigProto.getDefaultInstance()) ? 25 : 0);
      }
      List<String> predict = new java.util.ArrayList<>(List.of("predict", "--model-dir", served.toString(), "--json"));
      predict.addAll(images);
      Run predicted = run(predict.toArray(String[]::new));
      assertThat(predicted.code()).as(predicted.out()).isZero();
      outputs.add(predicted.out());
    }
    for (int streams = 1; streams < outputs.size(); streams++) {
      for (int image = 0; image < images.size(); image++) {
        JsonNode unsplit = new ObjectMapper().readTree(outputs.get(0)).get(image).get("top");
        JsonNode split = new ObjectMapper().readTree(outputs.get(streams)).get(image).get("top");
        assertThat(split).hasSize(5);
        for (int i = 0; i < 5; i++) {
          assertThat(split.get(i).get("class").asInt()).isEqualTo(unsplit.get(i).get("class").asInt());
          assertThat(split.get(i).get("probability").asDouble()).isCloseTo(
              unsplit.get(i).get("probability").asDouble(), org.assertj.core.api.Assertions.within(1e-6));
        }
      }
    }
    assertThat(run("export", "--model", "deit-tiny", "--output", dir.resolve("x").toString(), "--row-streams", "0")
        .code()).isEqualTo(2);
    assertThat(run("export", "--model", "deit-tiny", "--output", dir.resolve("x").toString(), "--batch-streams", "0")
        .code()).isEqualTo(2);
  }

  @Test
  void usageAndInputErrorsAreCleanExits() throws IOException {
    Path out = dir.resolve("out");
    assertThat(run("export", "--output", out.toString()).code()).isEqualTo(Main.USAGE);
    assertThat(run("export", "--model", "u-convnext-micro", "--all", "--output", out.toString()).code())
        .isEqualTo(Main.USAGE);
    assertThat(run("export", "--checkpoint", dir.toString(), "--pretrained", "u-convnext-micro.in1k", "--output",
        out.toString()).code()).isEqualTo(Main.USAGE);
    assertThat(run("export", "--checkpoint", dir.toString(), "--output", out.toString()).code()).isEqualTo(1);
    assertThat(run("export", "--model", "no-such-model", "--output", out.toString()).code()).isEqualTo(1);
    // a size the model cannot take is a bad --image-size, as in describe and benchmark
    assertThat(run("export", "--model", "u-convnext-micro", "--image-size", "33", "--output", out.toString()).code())
        .isEqualTo(Main.USAGE);
    assertThat(run("predict", dir.toString()).code()).isEqualTo(Main.USAGE);
    assertThat(run("predict", "--checkpoint", dir.toString()).code()).as("no input").isEqualTo(Main.USAGE);
    assertThat(run("predict", "--checkpoint", dir.toString(), "--npy", "x.npy", "x.png").code()).as("two inputs")
        .isEqualTo(Main.USAGE);
    assertThat(run("predict", "--model-dir", dir.toString(), "--ema", "x.png").code()).isEqualTo(Main.USAGE);
    Files.createDirectories(dir.resolve("empty"));
    assertThat(run("predict", "--model-dir", dir.resolve("empty").toString(), "x.png").code()).isEqualTo(1);
    assertThat(out).doesNotExist();
  }

  /** The op types TF ran for one image through {@code serving_default} (after its graph optimisations). */
  private static List<String> servedOps(Path version) {
    try (ExportedModel model = ExportedModel.load(version);
        TFloat32 image = TFloat32.tensorOf(Shape.of(1, 32, 32, 3))) {
      SignatureDef signature = model.bundle().metaGraphDef().getSignatureDefMap().get(ServingSignatures.DEFAULT);
      try (Result result = model.bundle().session().runner()
          .feed(signature.getInputsMap().get(ServingSignatures.IMAGES).getName(), image)
          .fetch(signature.getOutputsMap().get(ServingSignatures.LOGITS).getName())
          .setOptions(RunOptions.newBuilder().setOutputPartitionGraphs(true).build()).runAndFetchMetadata()) {
        return result.getMetadata().orElseThrow().getPartitionGraphsList().stream()
            .flatMap(graph -> graph.getNodeList().stream()).map(NodeDef::getOp).toList();
      }
    }
  }

  private static Path writePng(Path file, int height, int width) throws IOException {
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        image.setRGB(x, y, ((x * 6) % 256) << 16 | ((y * 5) % 256) << 8 | ((x + y) * 3) % 256);
      }
    }
    ImageIO.write(image, "png", file.toFile());
    return file;
  }
}
