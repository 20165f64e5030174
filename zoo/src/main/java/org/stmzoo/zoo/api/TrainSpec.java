package org.stmzoo.zoo.api;

import java.nio.file.Path;
import java.util.Objects;
import java.util.function.Consumer;
import org.stmzoo.datasets.pipeline.RandAugment;
import org.stmzoo.datasets.pipeline.RandomResizedCrop;
import org.stmzoo.layers.core.ConfigChecks;
import org.stmzoo.recipes.RecipeConfig;

/**
 * One training run, as {@code ./stmzoo train} takes it: the model, where its weights start, the data, the
 * DeiT recipe and its augmentation, and the run folder. {@link #of} gives DeiT's defaults; the {@code with...}
 * methods change one thing.
 *
 * @param model a registered model name; null to take the model of a {@link Weights.Pretrained} full tag, or for
 *     {@link StmzooModel#finetune}, which fills in its own
 * @param init where the weights start: {@link Weights.Random} (initialised with the recipe's seed), an stmzoo
 *     checkpoint (its model weights only; a head for another class count is re-initialised, position embeddings
 *     of another image size are resized as an import resizes them), or a published release
 * @param resume continue the run in {@code output} from its {@code last/} checkpoint (init must be random)
 * @param imageSize input size, or null for the model's
 * @param dropPath drop-path rate, or null for the model's
 * @param output the run folder: summary.csv, curves, TensorBoard, checkpoints {@code last/} and {@code best/}
 * @param autoAugment the RandAugment policy (e.g. {@link #DEFAULT_AUTO_AUGMENT}, DeiT's), or null for none
 * @param minScale RandomResizedCrop's minimum area fraction in (0, 1] (timm's {@code --scale} lower bound)
 * @param cropPct the evaluation crop fraction in (0, 1], or null for the model's
 * @param distillTeacher an stmzoo checkpoint to distil from (DeiT), or null
 * @param threads data loader threads
 * @param downloads how a pretrained init is fetched
 * @param parallelism one device, several devices of this process, or a cluster of processes
 * @param saveEverySteps also save {@code last/} after every this many steps of the run, mid-epoch (a checkpoint
 *     {@code --resume} continues from exactly), so that a crash or a lost cluster task costs at most that many
 *     steps instead of the epoch; 0, the default: only at epoch ends and on Ctrl-C. Like {@code threads}, a
 *     resumed run may give another value: it changes when {@code last/} is written, not what is trained, so
 *     args.json does not record it and {@code --resume} does not compare it
 */
public record TrainSpec(String model, Weights init, boolean resume, DataSpec data, Integer imageSize, Float dropPath,
    Path output, RecipeConfig recipe, String autoAugment, float minScale, Float cropPct, Path distillTeacher,
    int threads, Downloads downloads, Parallelism parallelism, int saveEverySteps) {
  /** Without periodic saves ({@code saveEverySteps} 0): the record as it was before that setting. */
  public TrainSpec(String model, Weights init, boolean resume, DataSpec data, Integer imageSize, Float dropPath,
      Path output, RecipeConfig recipe, String autoAugment, float minScale, Float cropPct, Path distillTeacher,
      int threads, Downloads downloads, Parallelism parallelism) {
    this(model, init, resume, data, imageSize, dropPath, output, recipe, autoAugment, minScale, cropPct,
        distillTeacher, threads, downloads, parallelism, 0);
  }

  /** The RandAugment policy of {@link #of} and of the CLI: DeiT's. */
  public static final String DEFAULT_AUTO_AUGMENT = RandAugment.DEIT_POLICY;
  /** timm's {@code --scale} lower bound. */
  public static final float DEFAULT_MIN_SCALE = (float) RandomResizedCrop.MIN_SCALE;

  public TrainSpec {
    // the components a run cannot do without, refused here by name rather than as an NPE once the data is read
    Objects.requireNonNull(init, "TrainSpec.init");
    Objects.requireNonNull(data, "TrainSpec.data");
    Objects.requireNonNull(output, "TrainSpec.output");
    Objects.requireNonNull(recipe, "TrainSpec.recipe");
    Objects.requireNonNull(downloads, "TrainSpec.downloads");
    Objects.requireNonNull(parallelism, "TrainSpec.parallelism");
    if (resume && !(init instanceof Weights.Random)) {
      throw new IllegalArgumentException("resume continues a run's own weights; it takes no other init");
    }
    if (threads <= 0) {
      throw new IllegalArgumentException("threads must be positive, got " + threads);
    }
    if (saveEverySteps < 0) {
      throw new IllegalArgumentException("saveEverySteps must be 0 (off) or positive, got " + saveEverySteps);
    }
    // only the sign here: the model's own size rule (a multiple of its patch or stride) once Training.run knows it
    if (imageSize != null) {
      ConfigChecks.positive("TrainSpec.imageSize", imageSize);
    }
    if (dropPath != null) {
      ConfigChecks.rate("TrainSpec.dropPath", dropPath);
    }
    ConfigChecks.fraction("TrainSpec.minScale", minScale);
    if (cropPct != null) {
      ConfigChecks.fraction("TrainSpec.cropPct", cropPct);
    }
  }

  /** DeiT's recipe for {@code epochs} epochs of batch {@code batchSize}, from a random initialisation. */
  public static TrainSpec of(String model, DataSpec data, Path output, int epochs, int batchSize) {
    return new TrainSpec(model, Weights.random(), false, data, null, null, output,
        RecipeConfig.deit(epochs, batchSize), DEFAULT_AUTO_AUGMENT, DEFAULT_MIN_SCALE, null, null,
        Runtime.getRuntime().availableProcessors(), Downloads.fromEnvironment(), Parallelism.none(), 0);
  }

  /** DeiT's recipe for fine-tuning a loaded model ({@link StmzooModel#finetune} sets the model and init). */
  public static TrainSpec finetune(DataSpec data, Path output, int epochs, int batchSize) {
    return of(null, data, output, epochs, batchSize);
  }

  public TrainSpec withModel(String name) {
    return with(c -> c.model = name);
  }

  public TrainSpec withInit(Weights weights) {
    return with(c -> c.init = weights);
  }

  /** Continues the run in {@link #output} from its {@code last/} checkpoint ({@code train --resume}). */
  public TrainSpec withResume(boolean value) {
    return with(c -> c.resume = value);
  }

  public TrainSpec withImageSize(int size) {
    return with(c -> c.imageSize = size);
  }

  /** The drop-path rate in [0, 1), or null for the model's ({@code train --drop-path}). */
  public TrainSpec withDropPath(Float rate) {
    return with(c -> c.dropPath = rate);
  }

  public TrainSpec withRecipe(RecipeConfig config) {
    return with(c -> c.recipe = config);
  }

  /** The augmentation: a RandAugment policy (null: none) and RandomResizedCrop's minimum area fraction. */
  public TrainSpec withAugmentation(String policy, float scale) {
    return with(c -> {
      c.autoAugment = policy;
      c.minScale = scale;
    });
  }

  public TrainSpec withCropPct(Float fraction) {
    return with(c -> c.cropPct = fraction);
  }

  /**
   * Distils from this stmzoo checkpoint, DeiT's way, or from none (null) ({@code train --distill-teacher}); the
   * recipe's {@link RecipeConfig#distillation} says how, and a run refuses a teacher under type {@code none}.
   */
  public TrainSpec withDistillTeacher(Path checkpoint) {
    return with(c -> c.distillTeacher = checkpoint);
  }

  public TrainSpec withThreads(int count) {
    return with(c -> c.threads = count);
  }

  public TrainSpec withParallelism(Parallelism value) {
    return with(c -> c.parallelism = value);
  }

  public TrainSpec withDownloads(Downloads value) {
    return with(c -> c.downloads = value);
  }

  /** Saves {@code last/} after every {@code steps} steps too (0: only at epoch ends and on Ctrl-C). */
  public TrainSpec withSaveEverySteps(int steps) {
    return with(c -> c.saveEverySteps = steps);
  }

  /** This spec changed as {@code change} sets its copy, through the canonical constructor and so its checks. */
  private TrainSpec with(Consumer<Copy> change) {
    Copy copy = new Copy(this);
    change.accept(copy);
    return copy.build();
  }

  /**
   * The components of a spec, settable by name: the {@code with...} methods set the ones they change instead of
   * each repeating the sixteen-argument constructor call, where two neighbours of one type (the Floats, the Paths)
   * would swap silently.
   */
  private static final class Copy {
    String model;
    Weights init;
    boolean resume;
    DataSpec data;
    Integer imageSize;
    Float dropPath;
    Path output;
    RecipeConfig recipe;
    String autoAugment;
    float minScale;
    Float cropPct;
    Path distillTeacher;
    int threads;
    Downloads downloads;
    Parallelism parallelism;
    int saveEverySteps;

    Copy(TrainSpec spec) {
      model = spec.model;
      init = spec.init;
      resume = spec.resume;
      data = spec.data;
      imageSize = spec.imageSize;
      dropPath = spec.dropPath;
      output = spec.output;
      recipe = spec.recipe;
      autoAugment = spec.autoAugment;
      minScale = spec.minScale;
      cropPct = spec.cropPct;
      distillTeacher = spec.distillTeacher;
      threads = spec.threads;
      downloads = spec.downloads;
      parallelism = spec.parallelism;
      saveEverySteps = spec.saveEverySteps;
    }

    TrainSpec build() {
      return new TrainSpec(model, init, resume, data, imageSize, dropPath, output, recipe, autoAugment, minScale,
          cropPct, distillTeacher, threads, downloads, parallelism, saveEverySteps);
    }
  }
}
