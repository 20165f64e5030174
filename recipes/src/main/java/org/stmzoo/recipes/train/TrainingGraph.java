package org.stmzoo.recipes.train;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.stmzoo.layers.core.CheckpointOps;
import org.stmzoo.layers.core.ClassifierOutput;
import org.stmzoo.layers.core.ImageClassifier;
import org.stmzoo.layers.core.ModelGraph;
import org.stmzoo.layers.core.ModelVariable;
import org.stmzoo.recipes.FeedTensors;
import org.stmzoo.recipes.RecipeConfig;
import org.stmzoo.recipes.augment.AugmentSampler;
import org.stmzoo.recipes.augment.BatchAugmentation;
import org.stmzoo.recipes.optim.AdamW;
import org.stmzoo.recipes.optim.GradientClipping;
import org.stmzoo.recipes.optim.ModelEma;
import org.stmzoo.recipes.parallel.GlobalBatch;
import org.stmzoo.recipes.parallel.Replicas;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.proto.RunMetadata;
import org.tensorflow.proto.RunOptions;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * The whole training step as one graph, run by one {@code session.run}: batch augmentation (random erasing,
 * Mixup/CutMix, smoothed soft targets), the student's training forward, the loss (with DeiT distillation when a
 * teacher is given), gradients with respect to every trainable variable's {@code value()}, optional clipping by
 * global norm, AdamW, the BatchNorm statistic updates of that forward, and the EMA update.
 *
 * <p>The model's own forward (the {@code images} placeholder the model was built on, with {@code training}
 * false) serves evaluation; training builds a second forward of the same classifier on the augmented batch
 * with {@code training} the constant true, so the two share variables but not ops.
 *
 * <p>Variable layout: the model's variables as built; {@code optimizer/...} and {@code ema/...} training
 * state; {@code teacher/...} the frozen teacher (not checkpointed with the run).
 *
 * <p>This class wires the recipe; the data-parallel plumbing is {@link ReplicatedGradients}'s (the replicas'
 * forwards, losses and gradients, and their means) and, in a cluster, {@link GlobalBatch}'s (the other tasks'
 * slices of the batch, from their queues).
 */
public final class TrainingGraph {
  static final String TEACHER_SCOPE = "teacher";
  /** The name scope of the step's own ops (augmentation, optimizer, EMA; the replicas' means). */
  static final String STEP_SCOPE = "train";

  private final ModelGraph model;
  private final RecipeConfig config;
  private final int numClasses;
  private final Placeholder<TFloat32> evalImages;
  private final Operand<TFloat32> evalLogits;
  private final Placeholder<TFloat32> trainImages;
  private final Placeholder<TInt32> labels;
  private final Placeholder<TFloat32> learningRate;
  private final BatchAugmentation augmentation;
  private final AugmentSampler sampler;
  private final Operand<TFloat32> loss;
  private final Op trainOp;
  private final AdamW optimizer;
  private final Optional<ModelEma> ema;
  private final Op initializer;
  private final Optional<Op> emaReset;
  private final Optional<Op> emaSwap;
  private final CheckpointOps checkpoint;
  private final Optional<CheckpointOps> teacherRestore;
  private final List<ModelVariable> modelVariables;
  private final String teacherCheckpoint;
  private final Replicas replicas;
  private RunOptions stepOptions = RunOptions.getDefaultInstance();

  /**
   * @param model the student's graph, with the student already built
   * @param student the student classifier (its variables exist; calling it again shares them)
   * @param evalImages the placeholder the student was built on
   * @param evalOutput the student's output on {@code evalImages} (training false)
   * @param teacher a teacher for DeiT distillation, required when {@code config.distillation()} is enabled
   */
  public TrainingGraph(ModelGraph model, ImageClassifier student, Placeholder<TFloat32> evalImages,
      ClassifierOutput evalOutput, int numClasses, RecipeConfig config, Optional<Teacher> teacher) {
    this(model, student, evalImages, evalOutput, numClasses, config, teacher, Replicas.single());
  }

  /**
   * Data-parallel: the training forward, loss and gradients once per replica (on its device, on its slice of
   * the batch, which must split evenly); gradients and BatchNorm statistics averaged over the replicas; one
   * AdamW and EMA update of the shared variables. The batch augmentation runs once on the global batch, so
   * with the same draws every layout computes the same step.
   */
  public TrainingGraph(ModelGraph model, ImageClassifier student, Placeholder<TFloat32> evalImages,
      ClassifierOutput evalOutput, int numClasses, RecipeConfig config, Optional<Teacher> teacher,
      Replicas replicas) {
    this.model = model;
    this.config = config;
    this.numClasses = numClasses;
    this.evalImages = evalImages;
    this.evalLogits = evalOutput.logits();
    config.distillation().checkTeacher(teacher.isPresent());
    replicas.checkBatchSize(config.batchSize());
    this.replicas = replicas;
    this.modelVariables = model.modelVariables();
    this.teacherCheckpoint = teacher.map(Teacher::checkpointPrefix).orElse(null);
    List<ModelVariable> trainable = model.trainableVariables();
    Ops tf = model.tf().withSubScope(STEP_SCOPE);
    Shape imageShape = evalImages.shape();
    trainImages = tf.withName("images").placeholder(TFloat32.class,
        Placeholder.shape(Shape.of(-1, imageShape.get(1), imageShape.get(2), imageShape.get(3))));
    labels = tf.withName("labels").placeholder(TInt32.class, Placeholder.shape(Shape.of(-1)));
    learningRate = tf.withName("lr").placeholder(TFloat32.class, Placeholder.shape(Shape.scalar()));

    // augment: once, on the global batch (in a cluster this process feeds only replica 0's slice of it)
    GlobalBatch batch = GlobalBatch.of(model.graph(), tf, replicas, trainImages, labels, config.batchSize());
    augmentation = new BatchAugmentation(tf.withSubScope("augment"), batch.images(), batch.labels(), numClasses,
        (float) config.smoothing());
    sampler = new AugmentSampler(config.mixup(), config.cutmix(), config.mixupSwitchProb(), config.reprob(),
        (int) imageShape.get(1), (int) imageShape.get(2), config.seed());

    int variablesBeforeTeacher = model.variables().size();
    Optional<ImageClassifier> teacherNet = teacher.map(t -> t.builder().apply(model.root().child(TEACHER_SCOPE)));
    List<ModelVariable> teacherVariables = List.copyOf(model.variables().values())
        .subList(variablesBeforeTeacher, model.variables().size());

    // forward -> loss -> gradients, per replica, averaged
    ReplicatedGradients replicated = new ReplicatedGradients(model, tf, replicas, augmentation.images(),
        augmentation.targets(), trainable, (images, targets) -> replicaLoss(tf, student, teacherNet, images, targets));
    loss = replicated.loss();
    List<Operand<TFloat32>> gradients = replicated.gradients();

    // clip -> AdamW (with the forward's BatchNorm statistics) -> EMA of the updated weights
    if (config.clipGrad() > 0) {
      gradients = GradientClipping.byGlobalNorm(tf, gradients, config.clipGrad());
    }
    optimizer = new AdamW(model.root().child("optimizer"), trainable, AdamW.Config.deit(config.weightDecay()));
    List<Op> updates = new ArrayList<>(optimizer.apply(tf.withSubScope("adamw"), gradients, learningRate));
    updates.addAll(replicated.statisticUpdates());
    ema = config.modelEma()
        ? Optional.of(new ModelEma(model.root().child("ema"), modelVariables, config.modelEmaDecay()))
        : Optional.empty();
    if (ema.isPresent()) {
      updates.add(ema.get().update(tf.withSubScope("ema"), List.copyOf(updates)));
    }
    trainOp = tf.withName("step").withControlDependencies(updates).noOp();
    emaReset = ema.map(e -> e.reset(tf));
    emaSwap = ema.map(e -> e.swap(tf));

    initializer = model.initializer();
    List<ModelVariable> saved = new ArrayList<>(model.variables().values());
    saved.removeAll(teacherVariables);
    checkpoint = CheckpointOps.build(model, "checkpoint", saved);
    teacherRestore = teacher.isEmpty() ? Optional.empty()
        : Optional.of(CheckpointOps.build(model, "teacher_checkpoint", teacherVariables,
            v -> v.path().substring(TEACHER_SCOPE.length() + 1)));
  }

  /**
   * One replica's training forward on its slice and its loss (with the teacher's forward for distillation); the
   * statistics are the student's only, as the frozen teacher's are never updated.
   */
  private ReplicatedGradients.ReplicaLoss replicaLoss(Ops tf, ImageClassifier student,
      Optional<ImageClassifier> teacher, Operand<TFloat32> images, Operand<TFloat32> targets) {
    int updatesBefore = model.stateUpdateValues().size();
    ClassifierOutput out = student.call(images, tf.constant(true));
    List<ModelGraph.StateUpdate> statistics = List.copyOf(
        model.stateUpdateValues().subList(updatesBefore, model.stateUpdateValues().size()));
    Optional<ClassifierOutput> teacherOut = teacher.map(t -> t.call(images, tf.constant(false)));
    return new ReplicatedGradients.ReplicaLoss(buildLoss(tf, out, teacherOut, targets), statistics);
  }

  private Operand<TFloat32> buildLoss(Ops tf, ClassifierOutput out, Optional<ClassifierOutput> teacherOut,
      Operand<TFloat32> targets) {
    if (teacherOut.isPresent()) {
      Operand<TFloat32> distilled = out.distillationLogits().orElseThrow(() -> new IllegalArgumentException(
          "distillation needs a student with a distillation head (a '-distilled' model)"));
      return Losses.distillation(tf, config.distillation(), out.logits(), distilled, teacherOut.get().logits(),
          targets);
    }
    // Without a teacher both heads learn the labels: timm trains the mean of the heads in that case.
    Operand<TFloat32> logits = out.distillationLogits()
        .map(d -> (Operand<TFloat32>) tf.math.mul(tf.math.add(out.logits(), d), tf.constant(0.5f)))
        .orElse(out.logits());
    return Losses.softTargetCrossEntropy(tf, logits, targets);
  }

  /**
   * One training step: draws the step's augmentation, feeds the normalised NHWC batch (in a cluster, this
   * process's slice of it) and the rate, runs everything in one {@code session.run}, and returns the loss.
   */
  public float runStep(Session session, float[] images, int[] batchLabels, int batchSize, long step, double lr) {
    try (Result result = run(session, images, batchLabels, batchSize, step, lr, Optional.empty())) {
      return ((TFloat32) result.get(0)).getFloat();
    }
  }

  /**
   * {@link #runStep} with run options (e.g. a full trace), returning the run's metadata (e.g. its step stats).
   * The step is a real one: it updates the weights as {@code runStep} does.
   */
  public RunMetadata runStepWithMetadata(Session session, float[] images, int[] batchLabels, int batchSize,
      long step, double lr, RunOptions options) {
    try (Result result = run(session, images, batchLabels, batchSize, step, lr, Optional.of(options))) {
      return result.getMetadata().orElseThrow(() -> new IllegalStateException("the run returned no metadata"));
    }
  }

  private Result run(Session session, float[] images, int[] batchLabels, int batchSize, long step, double lr,
      Optional<RunOptions> options) {
    Shape shape = Shape.of(batchSize, trainImages.shape().get(1), trainImages.shape().get(2),
        trainImages.shape().get(3));
    checkBatch(images, batchLabels, batchSize, shape);
    try (FeedTensors feeds = new FeedTensors()) {
      Session.Runner runner = session.runner()
          .feed(trainImages, feeds.add(TFloat32.tensorOf(shape, DataBuffers.of(images, true, false))))
          .feed(labels, feeds.add(TInt32.vectorOf(batchLabels)))
          .feed(learningRate, feeds.add(TFloat32.scalarOf((float) lr)))
          // dropout/drop-path masks keyed by (seed, step): a resumed run draws the same ones
          .feed(model.randomSeed(), feeds.add(TInt64.vectorOf(config.seed(), step)));
      augmentation.feed(runner, sampler.draw(step, replicas.globalBatch(batchSize)), feeds);
      runner.fetch(loss).addTarget(trainOp);
      if (options.isPresent()) {
        // a traced step keeps the cluster's step deadline
        return runner.setOptions(options.get().toBuilder().setTimeoutInMs(stepOptions.getTimeoutInMs()).build())
            .runAndFetchMetadata();
      }
      return runner.setOptions(stepOptions).run();
    }
  }

  /**
   * The step's arrays must be exactly one batch of classes: a longer or shorter label array would be cut or padded
   * with class 0 silently, and a label outside the classes is {@link ClassLabels}' refusal.
   */
  private void checkBatch(float[] images, int[] batchLabels, int batchSize, Shape shape) {
    if (batchSize <= 0) {
      throw new IllegalArgumentException("batch size must be positive, got " + batchSize);
    }
    if (batchLabels.length != batchSize) {
      throw new IllegalArgumentException("expected " + batchSize + " labels (the batch size), got "
          + batchLabels.length);
    }
    if (images.length != shape.size()) {
      throw new IllegalArgumentException("expected " + shape.size() + " image values (" + shape
          + " NHWC), got " + images.length);
    }
    ClassLabels.checkRange(batchLabels, batchSize, numClasses, i -> "label " + batchLabels[i] + " of image " + i);
  }

  /**
   * Fails a step that takes longer than {@code limit} instead of waiting (a cluster task that stopped answering).
   */
  public void limitStepTime(Duration limit) {
    stepOptions = RunOptions.newBuilder().setTimeoutInMs(limit.toMillis()).build();
  }

  public Replicas replicas() {
    return replicas;
  }

  /** Initialises every variable, the EMA from the initial weights, and the teacher from its checkpoint. */
  public void initialize(Session session) {
    session.runner().addTarget(initializer).run();
    teacherRestore.ifPresent(r -> r.restore(session, teacherCheckpoint));
    resetEma(session);
  }

  /** Copies the current weights into the EMA (after initialising or loading weights). */
  public void resetEma(Session session) {
    emaReset.ifPresent(op -> session.runner().addTarget(op).run());
  }

  /** Exchanges live and EMA weights (no-op without EMA). */
  public void swapEma(Session session) {
    emaSwap.ifPresent(op -> session.runner().addTarget(op).run());
  }

  /** Updates made so far, read from the optimizer's step variable. */
  public long completedSteps(Session session) {
    try (Result r = session.runner().fetch(optimizer.step().value()).run()) {
      return (long) ((TFloat32) r.get(0)).getFloat();
    }
  }

  public Placeholder<TFloat32> evalImages() {
    return evalImages;
  }

  public Operand<TFloat32> evalLogits() {
    return evalLogits;
  }

  public int numClasses() {
    return numClasses;
  }

  /** Model and training state (optimizer, step, EMA); not the teacher. */
  public CheckpointOps checkpoint() {
    return checkpoint;
  }

  /** The model's own variables (trainable and statistics): what {@code --init} loads and exports keep. */
  public List<ModelVariable> modelVariables() {
    return modelVariables;
  }

  public boolean hasEma() {
    return ema.isPresent();
  }

  public ModelGraph model() {
    return model;
  }
}
