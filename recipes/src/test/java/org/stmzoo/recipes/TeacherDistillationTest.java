package org.stmzoo.recipes;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.stmzoo.layers.core.CheckpointOps;
import org.stmzoo.layers.core.ModelGraph;
import org.stmzoo.layers.core.ModelVariable;
import org.stmzoo.recipes.train.Teacher;
import org.stmzoo.recipes.train.TrainingGraph;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/** The teacher lives under teacher/ in the student's graph, loads un-prefixed weights and never trains. */
class TeacherDistillationTest {
  private static final int S = 8;

  @Test
  void teacherIsRestoredFrozenAndLeftOutOfTheRunCheckpoint(@TempDir Path dir) {
    String teacherPrefix = dir.resolve("teacher").toString();
    float[] savedKernel;
    try (Graph g = new Graph(); Session s = new Session(g)) {
      ModelGraph teacherModel = ModelGraph.create(g, 99);
      new TinyNet(teacherModel.root(), 3, 4);
      s.runner().addTarget(teacherModel.initializer()).run();
      CheckpointOps.build(teacherModel, "save", teacherModel.modelVariables()).save(s, teacherPrefix);
      savedKernel = GraphTestSupport.fetch(s, teacherModel.variables().get("conv1/kernel").value());
    }

    try (Graph g = new Graph(); Session s = new Session(g)) {
      ModelGraph model = ModelGraph.inferenceOnly(g, 1);
      Placeholder<TFloat32> images = model.tf().withName("images").placeholder(TFloat32.class,
          Placeholder.shape(Shape.of(-1, S, S, 3)));
      TinyNet student = new TinyNet(model.root(), 3, 4, true);
      RecipeConfig config = new RecipeConfig(1, 4, 5e-2, 1e-5, 1e-6, 0, 0.05, 0, 0.1, 0.8, 1.0, 0.5, 0.25, false,
          0.9, false, new RecipeConfig.Distillation("soft", 0.5, 2.0), 3);
      TrainingGraph graph = new TrainingGraph(model, student, images, student.call(images, model.training()), 4,
          config, Optional.of(new Teacher(scope -> new TinyNet(scope, 3, 4), teacherPrefix)));
      graph.initialize(s);
      ModelVariable teacherKernel = model.variables().get("teacher/conv1/kernel");
      assertThat(GraphTestSupport.fetch(s, teacherKernel.value())).containsExactly(savedKernel);

      ModelVariable studentHead = model.variables().get("fc_dist/kernel");
      float[] headBefore = GraphTestSupport.fetch(s, studentHead.value());
      float[] batch = new float[4 * S * S * 3];
      SplittableRandom rng = new SplittableRandom(5);
      for (int i = 0; i < batch.length; i++) {
        batch[i] = (float) rng.nextGaussian();
      }
      float loss = graph.runStep(s, batch, new int[] {0, 1, 2, 3}, 4, 0, 1e-2);
      assertThat(loss).isFinite().isPositive();
      assertThat(GraphTestSupport.fetch(s, teacherKernel.value())).containsExactly(savedKernel);
      assertThat(GraphTestSupport.fetch(s, studentHead.value())).isNotEqualTo(headBefore);
      List<String> saved = graph.checkpoint().variables().stream().map(ModelVariable::path).toList();
      assertThat(saved).contains("fc_dist/kernel", "optimizer/step").noneMatch(p -> p.startsWith("teacher/"));
      assertThat(saved).noneMatch(p -> p.startsWith("optimizer/exp_avg/teacher"));
    }
  }
}
