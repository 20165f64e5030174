package org.stmzoo.zoo.families.pit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import org.junit.jupiter.api.Test;
import org.stmzoo.zoo.weights.KeyMap;
import org.stmzoo.zoo.weights.ReferenceParity;
import org.stmzoo.zoo.weights.SafetensorsReader;
import org.stmzoo.zoo.weights.StateDict;

/** The three releases' names of PiT's poolings all resolve to the fixture's (timm 0.6.7) names. */
class PitKeyMapTest {
  private static StateDict fixture() throws IOException {
    return SafetensorsReader.read(ReferenceParity.fixture("pit_ti_224.safetensors"));
  }

  @Test
  void naverPoolsAreThePoolingAfterStageI() throws IOException {
    StateDict timm067 = fixture();
    StateDict naver = timm067.renameKeys(k -> k.replaceFirst("^transformers\\.(\\d)\\.pool\\.", "pools.$1."));
    assertThat(naver.keys()).contains("pools.0.conv.weight", "pools.1.fc.bias");
    assertThat(PitKeyMap.pit().normalise(naver).keys()).containsExactlyElementsOf(timm067.keys());
  }

  @Test
  void timm09PoolsAtTheNextStagesStart() throws IOException {
    StateDict timm067 = fixture();
    StateDict timm09 = timm067.renameKeys(k -> k.startsWith("transformers.0.pool.")
        ? k.replace("transformers.0.pool.", "transformers.1.pool.")
        : k.replace("transformers.1.pool.", "transformers.2.pool."));
    assertThat(timm09.keys()).contains("transformers.1.pool.conv.weight", "transformers.2.pool.conv.weight")
        .doesNotContain("transformers.0.pool.conv.weight");
    StateDict normalised = PitKeyMap.pit().normalise(timm09);
    assertThat(normalised.keys()).containsExactlyElementsOf(timm067.keys());
    // the 64 -> 128 pooling (after stage 0) keeps its tensor
    assertThat(normalised.get("transformers.0.pool.conv.weight").shape()).containsExactly(128, 1, 3, 3);
  }

  @Test
  void mapsEveryKindOfVariable() {
    KeyMap map = PitKeyMap.pit();
    assertThat(map.referenceKey("transformers/1/blocks/3/attn/qkv/kernel")).hasValue("transformers.1.blocks.3.attn.qkv.weight");
    assertThat(map.referenceKey("transformers/0/pool/conv/bias")).hasValue("transformers.0.pool.conv.bias");
    assertThat(map.referenceKey("patch_embed/conv/kernel")).hasValue("patch_embed.conv.weight");
    assertThat(map.referenceKey("norm/gamma")).hasValue("norm.weight");
    assertThat(map.referenceKey("head_dist/bias")).hasValue("head_dist.bias");
    assertThat(map.referenceKey("pos_embed")).hasValue("pos_embed");
    assertThat(map.referenceKey("transformers/0/blocks/0/drop_path/whatever")).isEmpty();
  }
}
