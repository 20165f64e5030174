package org.stmzoo.zoo.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.stmzoo.zoo.cli.CommandRunner.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.stmzoo.datasets.FashionMnist;
import org.stmzoo.datasets.ImageEncoding;
import org.stmzoo.export.ClassifierOutputs;
import org.stmzoo.export.ExportedModel;
import org.stmzoo.layers.core.CheckpointFolder;
import org.stmzoo.layers.core.Preprocessing;
import org.stmzoo.recipes.output.EpochRecord;
import org.stmzoo.recipes.output.RunDirectory;
import org.stmzoo.zoo.registry.ModelRegistry;
import org.stmzoo.zoo.weights.NpyFile;
import org.stmzoo.zoo.weights.RawTensor;
import org.stmzoo.zoo.weights.ReferenceParity;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;

/**
 * The checkpoint workflow through the command classes, with one stmzoo checkpoint format throughout: import the
 * U-ConvNeXt-Micro reference weights, fine-tune two steps on 16 Fashion-MNIST images (10 classes, so the head
 * is re-initialised) at 32x32, export the run folder, then eval, export the EMA weights and predict. Slow
 * steps (building the training graph, exporting) run once for all tests.
 */
class CheckpointWorkflowTest {
  private static final String MODEL = "u-convnext-micro";
  private static final String STEM = "stem/conv1/kernel";
  private static final String HEAD = "head/fc/kernel";
  private static final int SIZE = 32;
  private static final int BATCH = 8;
  private static final double LR = 0.05;
  /** The effective rate: DeiT scales --lr by batch / 512. */
  private static final double SCALED_LR = LR * BATCH / 512;

  @TempDir static Path dir;
  private static Path imported;
  private static Path run;
  private static String trainLog;
  /** The export of the run folder (its best checkpoint's trained weights). */
  private static Path served;
  private static String exportLog;

  @BeforeAll
  static void importFineTuneAndExport() throws Exception {
    try {
      FashionMnist.locate(null, FashionMnist.defaultCacheFolder(), false);
    } catch (IllegalArgumentException notInstalled) {
      assumeTrue(false, "Fashion-MNIST is not installed: " + notInstalled.getMessage());
    }
    imported = dir.resolve("imported");
    run(new ImportCommand(), "--model", MODEL, "--image-size", Integer.toString(SIZE), "--checkpoint",
        ReferenceParity.fixture("unified_convnext_micro.safetensors").toString(), "--output", imported.toString());
    run = dir.resolve("run");
    trainLog = run(new TrainCommand(Map.of()), "--model", MODEL, "--init", imported.toString(),
        "--data", "fashion-mnist", "--limit-train", "16", "--limit-val", "16", "--image-size", Integer.toString(SIZE),
        "--batch-size", Integer.toString(BATCH), "--epochs", "1", "--lr", Double.toString(LR), "--warmup-epochs", "0",
        "--mixup", "0", "--cutmix", "0", "--aa", "none", "--reprob", "0", "--model-ema", "--model-ema-decay", "0.5",
        "--crop-pct", "1.0", "--threads", "1", "--no-progress", "--output", run.toString());
    served = dir.resolve("served");
    exportLog = run(new ExportCommand(Map.of()), "--checkpoint", run.toString(), "--output", served.toString());
  }

  @Test
  void trainInitFromAnImportKeepsTheBodyAndReinitialisesTheHead() throws IOException {
    assertThat(trainLog).contains("Initialised from stmzoo checkpoint " + imported)
        .contains("the checkpoint has 1000 classes, this run 10: the head is re-initialised")
        .contains(HEAD);
    CheckpointFolder.Metadata best = new RunDirectory(run).checkpointMetadata(RunDirectory.BEST);
    assertThat(best.model()).isEqualTo(MODEL);
    assertThat(best.numClasses()).isEqualTo(10);
    assertThat(best.imageSize()).isEqualTo(SIZE);
    assertThat(best.classNames()).isEqualTo(FashionMnist.CLASS_NAMES);
    assertThat(best.training().step()).isEqualTo(2);
    assertThat(best.training().epochsDone()).isEqualTo(1);
    assertThat(best.hasEma()).isTrue();
    assertThat(best.evalCropPct()).isEqualTo(1.0f);

    // Two AdamW steps move each weight by about the rate each (|m/sqrt(v)| stays near 1 this early): the stem
    // is the imported one, moved a little; random initialisation would be far away.
    float[] before = tensor(imported, STEM);
    float[] after = tensor(run.resolve(RunDirectory.BEST), STEM);
    double moved = maxAbsDifference(before, after);
    System.out.printf("--init: stem moved by at most %.2e in 2 steps (rate %.2e)%n", moved, SCALED_LR);
    assertThat(moved).isGreaterThan(0).isLessThan(8 * SCALED_LR);
    int headInputs = tensor(imported, HEAD).length / 1000;
    assertThat(tensor(run.resolve(RunDirectory.BEST), HEAD)).hasSize(headInputs * 10);
  }

  @Test
  void evalTakesTheRunItsCheckpointFoldersAndTheEmaWeights() throws Exception {
    String log = run(new EvalCommand(), "--checkpoint", run.toString(), "--limit", "16");
    // the run folder means its best checkpoint
    assertThat(log).contains("images: 16", run.resolve(RunDirectory.BEST).toString(), "Fashion-MNIST test");
    // the evaluation crop the run trained with (train --crop-pct 1.0), unless eval names another; it travels
    // with the checkpoint folder, also when copied out of the run
    assertThat(log).contains("(crop-pct 1.000)");
    Path copied = dir.resolve("copied-best");
    Files.createDirectories(copied);
    try (var files = Files.list(run.resolve(RunDirectory.BEST))) {
      for (Path f : files.toList()) {
        Files.copy(f, copied.resolve(f.getFileName()));
      }
    }
    assertThat(run(new EvalCommand(), "--checkpoint", copied.toString(), "--data", "fashion-mnist", "--limit", "16"))
        .contains("(crop-pct 1.000)");
    assertThat(run(new EvalCommand(), "--checkpoint", run.toString(), "--limit", "16", "--crop-pct", "0.9",
        "--output", dir.resolve("cm-crop.png").toString())).contains("(crop-pct 0.900)");
    assertThat(run.resolve("confusion_matrix.png")).isNotEmptyFile();
    assertThat(run(new EvalCommand(), "--checkpoint", run.resolve(RunDirectory.LAST).toString(), "--ema", "--limit",
        "16", "--output", dir.resolve("cm-ema.png").toString())).contains("EMA weights", "images: 16");

    // an import has no run to take the data from, and its 1000 classes are not Fashion-MNIST's
    assertThatThrownBy(() -> run(new EvalCommand(), "--checkpoint", imported.toString()))
        .isInstanceOf(UsageException.class).hasMessageContaining("give --data");
    assertThatThrownBy(() -> run(new EvalCommand(), "--checkpoint", imported.toString(), "--data", "fashion-mnist"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("trained on 1000 classes");
  }

  @Test
  void exportOfTheRunServesItsWeightsWithTheSummaryAndPredictsAPng() throws Exception {
    assertThat(exportLog).contains("exported " + MODEL);
    List<EpochRecord> summary = new RunDirectory(run).readSummary();
    try (ExportedModel model = ExportedModel.load(served)) {
      assertThat(model.card().classNames()).isEqualTo(FashionMnist.CLASS_NAMES);
      assertThat(model.card().inputSize()).isEqualTo(SIZE);
      // the image-bytes signature crops as the run evaluated (train --crop-pct 1.0)
      assertThat(model.card().preprocessing().cropPct()).isEqualTo(1.0f);
      assertThat(model.card().weights()).contains(run.resolve(RunDirectory.BEST).toString()).contains("step 2");
      Map<String, Object> training = model.card().trainingSummary();
      assertThat(training).containsEntry("checkpoint", "best").containsEntry("weights", "trained")
          .containsEntry("epochs", 1).containsEntry("epochs_done", 1).containsEntry("step", 2)
          .containsEntry("best_eval_top1", summary.get(0).evalTop1());
      assertThat(((Map<?, ?>) training.get("last_epoch")).get("train_loss")).isEqualTo(summary.get(0).trainLoss());
    }
    assertThat(tensor(served.resolve("1/variables"), HEAD)).containsExactly(tensor(run.resolve("best"), HEAD));

    // the image-bytes signature on a Fashion-MNIST test image written as an RGB PNG
    Path png = dir.resolve("sample.png");
    ImageEncoding.writeRgbPng(FashionMnist.load(FashionMnist.locate(null, FashionMnist.defaultCacheFolder(), false),
        FashionMnist.Split.TEST).get(0), png);
    JsonNode predictions = new ObjectMapper().readTree(run(new PredictCommand(), "--model-dir", served.toString(),
        png.toString(), "--json"));
    JsonNode top = predictions.get(0).get("top");
    assertThat(top).hasSize(5);
    List<Double> probabilities = new ArrayList<>();
    for (JsonNode c : top) {
      assertThat(c.get("label").asText()).isEqualTo(FashionMnist.CLASS_NAMES.get(c.get("class").asInt()));
      probabilities.add(c.get("probability").asDouble());
    }
    assertThat(probabilities).isSortedAccordingTo((a, b) -> Double.compare(b, a));
    assertThat(probabilities.stream().mapToDouble(Double::doubleValue).sum()).isLessThanOrEqualTo(1.0 + 1e-5);
  }

  @Test
  void exportWithEmaServesTheEmaCopies() throws Exception {
    Path emaServed = dir.resolve("served-ema");
    run(new ExportCommand(Map.of()), "--checkpoint", run.toString(), "--ema", "--output", emaServed.toString());
    float[] exported = tensor(emaServed.resolve("1/variables"), HEAD);
    assertThat(exported).containsExactly(tensor(run.resolve("best"), CheckpointFolder.EMA_PREFIX + HEAD));
    assertThat(exported).isNotEqualTo(tensor(run.resolve("best"), HEAD));
    try (ExportedModel model = ExportedModel.load(emaServed)) {
      assertThat(model.card().trainingSummary()).containsEntry("weights", "ema");
      assertThat(model.card().weights()).contains("EMA weights");
    }
    assertThatThrownBy(() -> run(new ExportCommand(Map.of()), "--checkpoint", imported.toString(), "--ema",
        "--output", dir.resolve("x").toString())).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("holds no EMA weights");
  }

  /**
   * predict --checkpoint RUN --npy gives the logits of the run's best weights: the same as the export of RUN
   * fed the same image through its float signature (which normalises 0-255 pixels itself, and does not resample
   * at the model's size).
   */
  @Test
  void predictFromTheRunFolderMatchesItsExport() throws Exception {
    Preprocessing preprocessing = ModelRegistry.get(MODEL).preprocessing();
    float[] pixels = new float[2 * SIZE * SIZE * 3];
    float[] normalised = new float[pixels.length];
    for (int i = 0; i < pixels.length; i++) {
      pixels[i] = (i * 37) % 256;
      int c = i % 3;
      normalised[i] = (pixels[i] / 255f - preprocessing.mean()[c]) / preprocessing.std()[c];
    }
    Path npy = dir.resolve("batch.npy");
    NpyFile.write(npy, new RawTensor(new long[] {2, SIZE, SIZE, 3}, normalised));
    JsonNode json = new ObjectMapper().readTree(run(new PredictCommand(), "--checkpoint", run.toString(), "--npy",
        npy.toString(), "--json"));
    assertThat(json.get("model").asText()).isEqualTo(MODEL);
    float[][] logits = new ObjectMapper().treeToValue(json.get("logits"), float[][].class);
    assertThat(logits).hasDimensions(2, 10);

    try (ExportedModel model = ExportedModel.load(served);
        TFloat32 images = TFloat32.tensorOf(Shape.of(2, SIZE, SIZE, 3), DataBuffers.of(pixels))) {
      ClassifierOutputs outputs = model.classify(images);
      double diff = ClassifierOutputs.maxAbsDifference(logits, outputs.logits());
      System.out.println("predict --checkpoint RUN vs its export: max |logits difference| = " + diff);
      assertThat(diff).isLessThan(1e-4);
    }
    JsonNode fromExport = new ObjectMapper().readTree(run(new PredictCommand(), "--model-dir", served.toString(),
        "--npy", npy.toString(), "--json"));
    double exportDiff = ClassifierOutputs.maxAbsDifference(logits,
        new ObjectMapper().treeToValue(fromExport.get("logits"), float[][].class));
    System.out.println("predict --npy: --checkpoint RUN vs --model-dir EXPORT: max |logits difference| = "
        + exportDiff);
    assertThat(exportDiff).isLessThan(1e-4);
  }

  /**
   * predict IMAGE with the checkpoint (the image preprocessed in Java) and with its export (preprocessed in the
   * export's graph) gives the same classes and probabilities; the run trained at crop-pct 1.0, so a 32x32 image
   * is neither resized nor cropped by either.
   */
  @Test
  void predictImagesFromTheRunFolderMatchesItsExport() throws Exception {
    java.awt.image.BufferedImage image = new java.awt.image.BufferedImage(SIZE, SIZE,
        java.awt.image.BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < SIZE; y++) {
      for (int x = 0; x < SIZE; x++) {
        image.setRGB(x, y, ((x * 8) % 256) << 16 | ((y * 7) % 256) << 8 | ((x * y) % 256));
      }
    }
    Path png = dir.resolve("pattern.png");
    javax.imageio.ImageIO.write(image, "png", png.toFile());
    ObjectMapper mapper = new ObjectMapper();
    JsonNode checkpoint = mapper.readTree(run(new PredictCommand(), "--checkpoint", run.toString(), png.toString(),
        "--json", "--top", "10")).get(0).get("top");
    JsonNode export = mapper.readTree(run(new PredictCommand(), "--model-dir", served.toString(), png.toString(),
        "--json", "--top", "10")).get(0).get("top");
    assertThat(checkpoint).hasSize(10);
    for (int i = 0; i < 10; i++) {
      assertThat(checkpoint.get(i).get("label").asText()).isEqualTo(export.get(i).get("label").asText());
      assertThat(checkpoint.get(i).get("probability").asDouble())
          .isCloseTo(export.get(i).get("probability").asDouble(), org.assertj.core.api.Assertions.within(1e-5));
    }
    assertThat(FashionMnist.CLASS_NAMES).contains(checkpoint.get(0).get("label").asText());
  }

  /** Tensor {@code key} of the V2 checkpoint in {@code folder} (prefix {@code variables}), read directly. */
  private static float[] tensor(Path folder, String key) {
    return CheckpointTensors.read(folder, key);
  }

  private static double maxAbsDifference(float[] a, float[] b) {
    assertThat(a).hasSameSizeAs(b);
    double max = 0;
    for (int i = 0; i < a.length; i++) {
      max = Math.max(max, Math.abs(a[i] - b[i]));
    }
    return max;
  }
}
