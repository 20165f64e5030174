package org.stmzoo.zoo.weights;

/**
 * DeiT's names: timm 0.6.7's {@code vision_transformer.py} / {@code deit.py}, which facebookresearch/deit's
 * released checkpoints share. stmzoo's paths mirror them: {@code cls_token}, {@code dist_token} (distilled
 * models), {@code pos_embed} {@code [1, tokens + grid, C]}, {@code patch_embed.proj} (16x16 Conv),
 * {@code blocks.i.norm1/attn.qkv/attn.proj/norm2/mlp.fc1/mlp.fc2}, {@code norm}, {@code head} and
 * {@code head_dist}. timm's {@code ls1/ls2}, {@code fc_norm} and {@code pre_logits} are identities here and hold
 * no tensors. For another image size the position embedding's grid is resized as timm's
 * {@code resize_pos_embed} does.
 */
public final class DeitKeyMap {
  private DeitKeyMap() {}

  public static KeyMap deit() {
    return KeyMap.builder()
        .variable("(cls_token|dist_token|pos_embed)", "$1")
        .resize("pos_embed", EmbeddingResize.tokenGrid())
        .sameModuleNames("patch_embed/proj|blocks/\\d+/(norm1|norm2|attn/qkv|attn/proj|mlp/fc1|mlp/fc2)"
            + "|norm|head|head_dist")
        .head("head/")
        .head("head_dist/")
        .build();
  }
}
