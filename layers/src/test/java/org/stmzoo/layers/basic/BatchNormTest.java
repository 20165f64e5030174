package org.stmzoo.layers.basic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;
import org.stmzoo.layers.GraphRunner;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.exceptions.TFInvalidArgumentException;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;

class BatchNormTest {
  @Test
  void configRefusesChannelsEpsAndMomentumOutOfRange() {
    assertThatThrownBy(() -> BatchNorm.Config.torchDefault(0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("BatchNorm.Config.channels must be >= 1, got 0");
    assertThatThrownBy(() -> new BatchNorm.Config(4, 0f, 0.1f))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("BatchNorm.Config.eps must be > 0");
    assertThatThrownBy(() -> new BatchNorm.Config(4, Float.NaN, 0.1f))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("BatchNorm.Config.eps");
    for (float momentum : new float[] {-0.1f, 1.5f, Float.NaN}) {
      assertThatThrownBy(() -> new BatchNorm.Config(4, 1e-5f, momentum))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("BatchNorm.Config.momentum must be in [0, 1], got " + momentum)
          .hasMessageContaining("PyTorch's momentum: the weight of the new batch");
    }
    assertThat(new BatchNorm.Config(4, 1e-5f, 1f).momentum()).isEqualTo(1f);
    assertThat(new BatchNorm.Config(4, 1e-5f, 0f).momentum()).isEqualTo(0f);
  }

  @Test
  void refusesToTrainOnOneValuePerChannelWhenTheShapeSaysSo() {
    try (GraphRunner r = new GraphRunner()) {
      BatchNorm bn = new BatchNorm(r.model.root().child("bn"), BatchNorm.Config.torchDefault(2));
      Operand<TFloat32> one = r.constant(new float[] {1, 2}, 1, 1, 1, 2);
      assertThatThrownBy(() -> bn.call(one, r.model.tf().constant(true)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("more than 1 value per channel when training").hasMessageContaining("[1, 1, 1, 2]");
      // inference only: the moving statistics, whatever the batch
      assertThat(r.eval(bn.call(one, r.model.tf().constant(false)))).containsExactly(new float[] {1, 2},
          within(1e-4f));
    }
  }

  /** With the training switch decided at run time, or the batch unknown, a run that trains on one value fails. */
  @Test
  void failsARunThatTrainsOnOneValuePerChannel() {
    try (GraphRunner r = new GraphRunner()) {
      BatchNorm bn = new BatchNorm(r.model.root().child("bn"), BatchNorm.Config.torchDefault(2));
      Operand<TFloat32> one = r.constant(new float[] {1, 2}, 1, 2);
      Operand<TFloat32> y = bn.call(one, r.model.training());
      Placeholder<TFloat32> rows = r.model.tf().placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 2)));
      Operand<TFloat32> z = new BatchNorm(r.model.root().child("bn2"), BatchNorm.Config.torchDefault(2))
          .call(rows, r.model.training());

      assertThat(r.eval(y, false)).containsExactly(new float[] {1, 2}, within(1e-4f));
      assertThatThrownBy(() -> r.eval(y, true))
          .isInstanceOf(TFInvalidArgumentException.class).hasMessageContaining("more than 1 value per channel");
      assertThat(run(r.session(), r, rows, z, new float[] {1, 3, 3, 5}, true)).containsExactly(
          new float[] {-1, -1, 1, 1}, within(1e-3f));
      assertThatThrownBy(() -> run(r.session(), r, rows, z, new float[] {1, 3}, true))
          .isInstanceOf(TFInvalidArgumentException.class).hasMessageContaining("more than 1 value per channel");
      assertThat(run(r.session(), r, rows, z, new float[] {1, 3}, false)).containsExactly(new float[] {1, 3},
          within(1e-4f));
    }
  }

  /** A map of several positions has enough values per channel whatever the batch: no Assert in the step. */
  @Test
  void aMapOfSeveralPositionsNeedsNoRunTimeCheck() {
    try (GraphRunner r = new GraphRunner()) {
      Placeholder<TFloat32> maps = r.model.tf().placeholder(TFloat32.class,
          Placeholder.shape(Shape.of(-1, 2, 2, 3)));
      new BatchNorm(r.model.root().child("bn"), BatchNorm.Config.torchDefault(3)).call(maps, r.model.training());
      java.util.List<String> types = new java.util.ArrayList<>();
      r.graph.operations().forEachRemaining(op -> types.add(op.type()));
      assertThat(types).doesNotContain("Assert");
    }
  }

  private static float[] run(Session session, GraphRunner r, Placeholder<TFloat32> rows, Operand<TFloat32> out,
      float[] values, boolean training) {
    try (TFloat32 x = TFloat32.tensorOf(Shape.of(values.length / 2, 2), DataBuffers.of(values));
         TBool t = TBool.scalarOf(training);
         TFloat32 y = (TFloat32) session.runner().feed(rows, x).feed(r.model.training(), t).fetch(out).run().get(0)) {
      float[] result = new float[values.length];
      y.copyTo(DataBuffers.of(result, false, false));
      return result;
    }
  }
}
