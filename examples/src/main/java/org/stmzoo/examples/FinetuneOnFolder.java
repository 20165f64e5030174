package org.stmzoo.examples;

import java.nio.file.Path;
import java.util.Locale;
import org.stmzoo.recipes.output.EpochRecord;
import org.stmzoo.zoo.api.DataSpec;
import org.stmzoo.zoo.api.ModelSpec;
import org.stmzoo.zoo.api.Stmzoo;
import org.stmzoo.zoo.api.StmzooModel;
import org.stmzoo.zoo.api.TrainSpec;
import org.stmzoo.zoo.api.TrainingListener;
import org.stmzoo.zoo.api.TrainingResult;
import org.stmzoo.zoo.api.Weights;

/**
 * Fine-tunes on an image folder {@code root/CLASS/*.png} with the trainer {@code ./stmzoo train} runs:
 * {@code FinetuneOnFolder FOLDER RUN_DIR}. Without arguments it generates a tiny two-class folder and trains a
 * randomly initialised model for one epoch at 32x32 (start from {@code Weights.pretrained("in1k")} in real use).
 */
public final class FinetuneOnFolder {
  private FinetuneOnFolder() {}

  public static void main(String[] args) throws Exception {
    Path folder = args.length > 0 ? Path.of(args[0]) : TinyImages.folder(Path.of("target", "shapes"), 8);
    Path run = args.length > 1 ? Path.of(args[1]) : Path.of("target", "runs", "shapes-" + System.nanoTime());
    TrainSpec spec = TrainSpec.finetune(DataSpec.folder(folder).withValSplit(0.25), run, 1, 4)
        .withImageSize(32).withThreads(1);
    TrainingListener progress = new TrainingListener() {
      @Override
      public void step(StepProgress p) {
        System.out.printf(Locale.ROOT, "epoch %d step %d/%d loss %.4f%n", p.epoch() + 1, p.step(), p.stepsPerEpoch(),
            p.meanLoss());
      }

      @Override
      public void epochFinished(EpochRecord r) {
        System.out.printf(Locale.ROOT, "epoch %d: val top-1 %.1f%%%n", r.epoch() + 1, r.evalTop1());
      }
    };
    TrainingResult result;
    try (StmzooModel model = Stmzoo.load(ModelSpec.of("u-convnext-micro", Weights.random()).withImageSize(32))) {
      result = model.finetune(spec, progress);
    }
    try (StmzooModel tuned = Stmzoo.load(result.best())) {
      System.out.println("classes " + tuned.classNames() + "; a new circle is "
          + tuned.classify(TinyImages.circle(99), 1).get(0).label());
    }
  }
}
