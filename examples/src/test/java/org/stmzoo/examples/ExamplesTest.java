package org.stmzoo.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Runs every example as a user would run its main, offline, and checks what it printed. */
class ExamplesTest {
  @Test
  void classifyImagePrintsFiveLabelledClasses() throws Exception {
    String out = run(() -> ClassifyImage.main(new String[0]));
    assertEquals(5, Pattern.compile("(?m)^  class_\\d+ +0\\.\\d{4}$").matcher(out).results().count(), out);
  }

  @Test
  void compareMixerCostsMeasuresTheFiveMicroUModels() throws Exception {
    String out = run(() -> CompareMixerCosts.main(new String[0]));
    for (String mixer : new String[] {"convnext", "halo", "swin", "pvt", "dcnv3"}) {
      assertTrue(Pattern.compile("(?m)^u-" + mixer + "-micro +unified-" + mixer + " +[0-9,]+ +0\\.\\d{3}  \\S")
          .matcher(out).find(), out);
    }
    assertTrue(out.contains("u-convnext-micro       unified-convnext      4,439,624"), out);
  }

  /** Numbers print the same whatever the user's locale: a German one would print 4.439.624 and 0,123. */
  @Test
  void compareMixerCostsPrintsTheSameNumbersInAGermanLocale() throws Exception {
    Locale before = Locale.getDefault();
    String out;
    try {
      Locale.setDefault(Locale.GERMANY);
      out = run(() -> CompareMixerCosts.main(new String[] {"u-convnext-micro"}));
    } finally {
      Locale.setDefault(before);
    }
    assertTrue(Pattern.compile("(?m)^u-convnext-micro       unified-convnext      4,439,624 +0\\.\\d{3}  \\S")
        .matcher(out).find(), out);
  }

  @Test
  void compareMixerCostsRefusesAGlobThatMatchesNoModel() {
    IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
        () -> CompareMixerCosts.main(new String[] {"no-such-*"}));
    assertEquals("no model matches 'no-such-*'", refused.getMessage());
  }

  @Test
  void profileModelPrintsTheTopOpTypesAndLayers() throws Exception {
    String out = run(() -> ProfileModel.main(new String[0]));
    assertTrue(Pattern.compile("(?m)^pit-ti at 32x32, batch 4: [0-9.]+ images/s, [0-9.]+ ms/step$").matcher(out)
        .find(), out);
    assertTrue(out.contains("op type:"), out);
    assertTrue(Pattern.compile("(?m)^  \\S+ +[0-9.]+ ms +[0-9.]+ %$").matcher(out).results().count() >= 4, out);
  }

  @Test
  void compareMixerInvarianceAnalysesBothModelsOnOneSample() throws Exception {
    String out = run(() -> CompareMixerInvariance.main(new String[0]));
    assertTrue(out.contains("Images: 4 images, a class-stratified sample (seed 0) of image folder "), out);
    for (String model : new String[] {"u-convnext-micro", "u-swin-micro"}) {
      assertTrue(Pattern.compile("(?m)^" + model + ": consistency \\d+\\.\\d% at a 64-pixel shift \\(reference"
          + " top-1 \\d+\\.\\d%\\)$").matcher(out).find(), out);
      assertTrue(java.nio.file.Files.isRegularFile(java.nio.file.Path.of("target", "invariance", model,
          "invariance-translation.csv")), model);
    }
    assertTrue(java.nio.file.Files.isRegularFile(java.nio.file.Path.of("target", "invariance",
        "invariance-translation.png")));
  }

  @Test
  void embeddingsComparesThreeImages() throws Exception {
    String out = run(() -> Embeddings.main(new String[0]));
    assertTrue(out.contains("384-dimensional embeddings"), out);
    assertTrue(out.contains("circle vs square: "), out);
  }

  @Test
  void finetuneOnFolderReportsStepsAndTheTunedClasses() throws Exception {
    String out = run(() -> FinetuneOnFolder.main(new String[0]));
    assertTrue(out.contains("epoch 1 step 3/3 loss "), out);
    assertTrue(out.contains("epoch 1: val top-1 "), out);
    assertTrue(out.contains("classes [circle, square]; a new circle is "), out);
  }

  @Test
  void loadExportClassifiesThroughTheSavedModel() throws Exception {
    String out = run(() -> LoadExport.main(new String[0]));
    assertTrue(out.contains("u-convnext-micro (32x32, 1000 classes): class_"), out);
  }

  interface Example {
    void run() throws Exception;
  }

  private static String run(Example example) throws Exception {
    PrintStream original = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      example.run();
    } finally {
      System.setOut(original);
    }
    String out = captured.toString(StandardCharsets.UTF_8);
    original.print(out);
    return out;
  }
}
