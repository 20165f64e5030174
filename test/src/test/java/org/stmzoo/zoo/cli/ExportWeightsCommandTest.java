package org.stmzoo.zoo.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.stmzoo.zoo.cli.CommandRunner.run;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.stmzoo.export.ClassifierOutputs;
import org.stmzoo.export.ExportedModel;
import org.stmzoo.layers.core.Preprocessing;
import org.stmzoo.recipes.RecipeConfig;
import org.stmzoo.zoo.api.DataSpec;
import org.stmzoo.zoo.api.Downloads;
import org.stmzoo.zoo.api.ModelSpec;
import org.stmzoo.zoo.api.Stmzoo;
import org.stmzoo.zoo.api.StmzooModel;
import org.stmzoo.zoo.api.TrainSpec;
import org.stmzoo.zoo.api.TrainingListener;
import org.stmzoo.zoo.api.TrainingResult;
import org.stmzoo.zoo.api.Weights;
import org.stmzoo.zoo.pretrained.PretrainedManifest;
import org.stmzoo.zoo.weights.NpyFile;
import org.stmzoo.zoo.weights.RawTensor;
import org.stmzoo.zoo.weights.ReferenceParity;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;

/**
 * {@code export --checkpoint} and {@code export --pretrained} with the U-ConvNeXt-Micro reference fixture: the
 * reloaded export, fed the fixture input through its float signature, reproduces the reference logits; a
 * pretrained model loaded from its own cache fine-tunes from there.
 */
class ExportWeightsCommandTest {
  private static final String FIXTURE = "unified_convnext_micro";
  private static final String MODEL = "u-convnext-micro";
  private static final String TAG = MODEL + ".fixture";
  /** float32 accumulation order differs from PyTorch's (the fixture README's bound). */
  private static final double TOLERANCE = 1e-4;

  @TempDir Path dir;

  @Test
  void exportOfAnImportedCheckpointServesTheReferenceLogitsWithItsClassNames() throws Exception {
    List<String> names = IntStream.range(0, 1000).mapToObj(i -> "synset-" + i).toList();
    Path namesFile = Files.write(dir.resolve("names.txt"), names);
    Path checkpoint = dir.resolve("ckpt");
    run(new ImportCommand(), "--model", MODEL, "--checkpoint", ReferenceParity.fixture(FIXTURE + ".safetensors")
        .toString(), "--class-names", namesFile.toString(), "--output", checkpoint.toString());

    Path served = dir.resolve("served");
    String log = run(new ExportCommand(Map.of()), "--checkpoint", checkpoint.toString(), "--output", served.toString());
    assertThat(log).contains("exported " + MODEL, "stmzoo checkpoint", FIXTURE + ".safetensors");

    try (ExportedModel model = ExportedModel.load(served)) {
      assertThat(model.card().name()).isEqualTo(MODEL);
      assertThat(model.card().inputSize()).isEqualTo(224);
      assertThat(model.card().classNames()).isEqualTo(names);
      ClassifierOutputs outputs = classifyFixture(model);
      double diff = ReferenceParity.maxAbsDifference(outputs.logits(), referenceLogits());
      System.out.println("export --checkpoint " + MODEL + ": max |served logits - reference| = " + diff);
      assertThat(diff).isLessThanOrEqualTo(TOLERANCE);
      int best = argmax(referenceLogits(), 0);
      assertThat(outputs.classes()[0][0]).isEqualTo(best);
      assertThat(outputs.labels()[0][0]).isEqualTo("synset-" + best);
    }
  }

  @Test
  void exportOfAPretrainedTagDownloadsOnceThenServesFromTheCache() throws Exception {
    byte[] weights = Files.readAllBytes(ReferenceParity.fixture(FIXTURE + ".safetensors"));
    AtomicInteger requests = new AtomicInteger();
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/releases/" + FIXTURE + ".safetensors", exchange -> serve(exchange, weights, requests));
    server.start();
    Path manifest;
    try {
      String url = "http://" + server.getAddress().getHostString() + ":" + server.getAddress().getPort()
          + "/releases/" + FIXTURE + ".safetensors";
      manifest = writeManifest(url, weights);
      Map<String, String> env = Map.of("STMZOO_HOME", dir.resolve("home").toString(),
          PretrainedManifest.MANIFEST_VARIABLE, manifest.toString());

      // --model NAME --pretrained SUFFIX: downloaded into STMZOO_HOME, imported, exported
      Path served = dir.resolve("served");
      String log = run(new ExportCommand(env), "--model", MODEL, "--pretrained", "fixture", "--output",
          served.toString());
      assertThat(log).contains("exported " + MODEL, "pretrained " + TAG);
      assertThat(requests).hasValue(1);
      assertThat(dir.resolve("home/weights/" + FIXTURE + ".safetensors")).hasBinaryContent(weights);
      try (ExportedModel model = ExportedModel.load(served)) {
        assertThat(model.card().weights()).startsWith("pretrained " + TAG);
        assertThat(model.card().preprocessing().cropPct()).isEqualTo(0.95f);
        assertThat(model.card().classNames()).as("ImageNet-pretrained: ImageNet's names").hasSize(1000)
            .element(281).isEqualTo("tabby cat");
        double diff = ReferenceParity.maxAbsDifference(classifyFixture(model).logits(), referenceLogits());
        System.out.println("export --pretrained " + TAG + ": max |served logits - reference| = " + diff);
        assertThat(diff).isLessThanOrEqualTo(TOLERANCE);
      }
    } finally {
      server.stop(0);
    }

    // the full tag alone, offline and with the server gone: the cached file serves, at another input size
    Map<String, String> offline = Map.of("STMZOO_HOME", dir.resolve("home").toString(), "STMZOO_OFFLINE", "1",
        PretrainedManifest.MANIFEST_VARIABLE, manifest.toString());
    run(new ExportCommand(offline), "--pretrained", TAG, "--image-size", "64", "--output",
        dir.resolve("small").toString());
    try (ExportedModel model = ExportedModel.load(dir.resolve("small"))) {
      assertThat(model.card().inputSize()).isEqualTo(64);
    }
    assertThat(requests).hasValue(1);

    Map<String, String> emptyCache = Map.of("STMZOO_HOME", dir.resolve("empty").toString(),
        PretrainedManifest.MANIFEST_VARIABLE, manifest.toString());
    assertThatThrownBy(() -> run(new ExportCommand(emptyCache), "--pretrained", TAG, "--offline", "--output",
        dir.resolve("x").toString())).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not in the cache");
    assertThatThrownBy(() -> run(new ExportCommand(offline), "--model", "pit-ti", "--pretrained", TAG, "--output",
        dir.resolve("x").toString())).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("holds weights for " + MODEL);
    // ten labels for a 1000-class release would leave a random head: refused before the import, nothing written
    Path tenLabels = Files.write(dir.resolve("ten.txt"), IntStream.range(0, 10).mapToObj(i -> "c" + i).toList());
    assertThatThrownBy(() -> run(new ExportCommand(offline), "--pretrained", TAG, "--image-size", "32", "--labels",
        tenLabels.toString(), "--output", dir.resolve("x").toString())).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("the release classifies 1000 classes, but 10 class names were given");
    assertThat(dir.resolve("x/1")).doesNotExist();
  }

  @Test
  void aPretrainedModelFinetunesFromTheCacheItWasLoadedFrom() throws Exception {
    byte[] weights = Files.readAllBytes(ReferenceParity.fixture(FIXTURE + ".safetensors"));
    Path home = dir.resolve("own-home");
    Files.createDirectories(home.resolve("weights"));
    Files.write(home.resolve("weights/" + FIXTURE + ".safetensors"), weights);
    Downloads own = new Downloads(Map.of("STMZOO_HOME", home.toString(), PretrainedManifest.MANIFEST_VARIABLE,
        writeManifest("http://127.0.0.1:9/unreachable", weights).toString()), true, null);
    Path data = dir.resolve("data");
    Random random = new Random(5);
    for (String name : List.of("a", "b")) {
      Files.createDirectories(data.resolve(name));
      for (int i = 0; i < 4; i++) {
        BufferedImage image = new BufferedImage(40, 40, BufferedImage.TYPE_INT_RGB);
        for (int p = 0; p < 40 * 40; p++) {
          image.setRGB(p % 40, p / 40, random.nextInt(1 << 24));
        }
        ImageIO.write(image, "png", data.resolve(name).resolve(i + ".png").toFile());
      }
    }
    // the spec's downloads are the process environment's, whose manifest has no such tag and whose cache is empty
    TrainSpec spec = TrainSpec.finetune(DataSpec.folder(data), dir.resolve("run"), 1, 4)
        .withRecipe(new RecipeConfig(1, 4, 5e-4, 1e-5, 1e-6, 0, 0.05, 0, 0.1, 0, 0, 0.5, 0, false, 0.99, false,
            RecipeConfig.Distillation.none(), 0))
        .withAugmentation(null, 1.0f).withCropPct(1.0f).withThreads(1);
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    try (StmzooModel model = Stmzoo.load(ModelSpec.of(MODEL, Weights.pretrained(TAG)).withDownloads(own)
        .withImageSize(32))) {
      TrainingResult result = model.finetune(spec, TrainingListener.none(),
          new PrintStream(log, true, StandardCharsets.UTF_8));
      assertThat(result.epochs()).hasSize(1);
    }
    assertThat(log.toString(StandardCharsets.UTF_8)).contains(TAG);
  }

  private static void serve(HttpExchange exchange, byte[] body, AtomicInteger requests) throws IOException {
    requests.incrementAndGet();
    exchange.sendResponseHeaders(200, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  /** A one-entry manifest for the fixture, verified by size and SHA-256, with a crop fraction of its own. */
  private Path writeManifest(String url, byte[] weights) throws Exception {
    Preprocessing imagenet = Preprocessing.imagenet();
    Map<String, Object> entry = new LinkedHashMap<>();
    entry.put("tag", TAG);
    entry.put("model", MODEL);
    entry.put("urls", List.of(url));
    entry.put("file", FIXTURE + ".safetensors");
    entry.put("size", weights.length);
    entry.put("sha256", HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(weights)));
    entry.put("top1", 70.0); // a manifest refuses a top-1 outside (0, 100]
    entry.put("source", "test fixture");
    entry.put("mean", imagenet.mean());
    entry.put("std", imagenet.std());
    entry.put("cropPct", 0.95);
    entry.put("interpolation", "bicubic");
    Path file = dir.resolve("manifest.json");
    new ObjectMapper().writeValue(file.toFile(), Map.of("formatVersion", 1, "entries", List.of(entry)));
    return file;
  }

  /**
   * The fixture's already-normalised NHWC batch as the RGB 0-255 pixels the float signature takes
   * ({@code (x * std + mean) * 255}, ImageNet statistics); at the model's size the export does not resample.
   */
  private static ClassifierOutputs classifyFixture(ExportedModel model) throws IOException {
    RawTensor input = NpyFile.read(ReferenceParity.fixture(FIXTURE + ".input_nhwc.npy"));
    Preprocessing imagenet = Preprocessing.imagenet();
    float[] x = input.values();
    float[] pixels = new float[x.length];
    for (int i = 0; i < x.length; i++) {
      int c = i % 3;
      pixels[i] = (x[i] * imagenet.std()[c] + imagenet.mean()[c]) * 255f;
    }
    try (TFloat32 images = TFloat32.tensorOf(Shape.of(input.shape()), DataBuffers.of(pixels))) {
      return model.classify(images);
    }
  }

  private static RawTensor referenceLogits() throws IOException {
    return NpyFile.read(ReferenceParity.fixture(FIXTURE + ".logits.npy"));
  }

  private static int argmax(RawTensor logits, int row) {
    int classes = (int) logits.shape()[1];
    int best = 0;
    for (int c = 1; c < classes; c++) {
      if (logits.values()[row * classes + c] > logits.values()[row * classes + best]) {
        best = c;
      }
    }
    return best;
  }
}
