package org.stmzoo.zoo.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.stmzoo.zoo.api.DataSpec;
import org.stmzoo.zoo.api.TrainSpec;
import org.stmzoo.zoo.api.Training;
import org.stmzoo.zoo.api.TrainingListener;

/**
 * A validation or evaluation folder holding only some of the model's classes: train took it as {@code --val},
 * while {@code eval --data} refused it ("trained on classes [cat, dog], but the data has classes [cat]") and
 * {@code eval} of the run, rebuilding that same set, printed {@code dog NaN%}. Both now evaluate it, labelled by
 * name, and a class without images reads "no images".
 */
class EvalFolderOfSomeClassesTest {
  @TempDir
  Path tmp;

  private static Path folder(Path root, String... classes) throws IOException {
    for (String name : classes) {
      Files.createDirectories(root.resolve(name));
      for (int i = 0; i < 2; i++) {
        BufferedImage image = new BufferedImage(32, 32, BufferedImage.TYPE_INT_RGB);
        image.setRGB(i, name.length(), 0xffffff);
        ImageIO.write(image, "png", root.resolve(name).resolve(i + ".png").toFile());
      }
    }
    return root;
  }

  @Test
  void aFolderOfSomeOfTheModelsClassesIsEvaluatedAsTheRunsValidationSetAndAsData() throws Exception {
    Path train = folder(tmp.resolve("train"), "cat", "dog");
    Path val = folder(tmp.resolve("val"), "cat");
    Path run = tmp.resolve("run");
    Training.run(TrainSpec.of("deit-tiny", DataSpec.folder(train).withVal(val), run, 1, 2)
        .withImageSize(32).withAugmentation(null, 1f).withCropPct(1f).withThreads(1), TrainingListener.none(),
        new PrintStream(OutputStream.nullOutputStream()));

    String ofRun = CommandRunner.run(new EvalCommand(), "--checkpoint", run.toString(), "--output",
        tmp.resolve("run.png").toString());
    String ofData = CommandRunner.run(new EvalCommand(), "--checkpoint", run.toString(), "--data", val.toString(),
        "--output", tmp.resolve("data.png").toString());
    for (String out : new String[] {ofRun, ofData}) {
      assertThat(out).contains("images: 2 ").contains("\n  dog      -  (no images)\n").doesNotContain("NaN");
    }
    assertThat(ofData.substring(ofData.indexOf("images: "), ofData.indexOf("Confusion matrix")))
        .isEqualTo(ofRun.substring(ofRun.indexOf("images: "), ofRun.indexOf("Confusion matrix")));

    Path other = folder(tmp.resolve("other"), "bird", "cat");
    assertThatThrownBy(() -> CommandRunner.run(new EvalCommand(), "--checkpoint", run.toString(), "--data",
        other.toString())).hasMessageContaining("has classes [bird] that are not among the training classes [cat, dog]");
  }
}
