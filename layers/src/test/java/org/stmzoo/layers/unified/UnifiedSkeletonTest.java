package org.stmzoo.layers.unified;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.stmzoo.layers.GraphRunner;
import org.stmzoo.layers.basic.DropPathSchedule;
import org.stmzoo.layers.core.Layer;

class UnifiedSkeletonTest {
  /** Block {@code g} of the network gets rate {@code g} of the one schedule the transformer families use. */
  @Test
  void blocksTakeTheSharedDropPathSchedule() {
    try (GraphRunner r = new GraphRunner()) {
      List<BlockFactory.BlockContext> contexts = new ArrayList<>();
      new UnifiedSkeleton(r.model.root().child("net"),
          UnifiedSkeleton.Config.of(new int[] {2, 2, 6, 2}, new int[] {4, 8, 8, 8}, 3, 10, 32, 0.1f),
          (scope, context) -> {
            contexts.add(context);
            return Layer.identity();
          });
      assertThat(contexts).extracting(BlockFactory.BlockContext::globalIndex)
          .containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11);
      float[] rates = new float[contexts.size()];
      for (int i = 0; i < rates.length; i++) {
        rates[i] = contexts.get(i).dropPath();
      }
      // torch.linspace(0, 0.1, 12) in float32 (VitLayersTest): the skeleton's own float formula gave 0.02727273
      // at block 3
      assertThat(rates).containsExactly(DropPathSchedule.linear(0.1f, 12));
      assertThat(rates[3]).isEqualTo(0.027272727f);
    }
  }
}
