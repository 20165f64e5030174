package org.stmzoo.zoo.families.pit;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.stmzoo.zoo.weights.KeyMap;
import org.stmzoo.zoo.weights.StateDict;

/**
 * PiT's names. stmzoo's paths mirror timm 0.6.7's {@code pit.py} ({@code patch_embed.conv},
 * {@code transformers.i.blocks.j...}, {@code transformers.i.pool.conv|fc} = the pooling after stage i,
 * {@code norm}, {@code head}, {@code head_dist}, {@code pos_embed}, {@code cls_token}); the reference fixture uses
 * these. Two other releases of the same weights name the poolings differently and are renamed first:
 * <ul>
 *   <li>naver-ai/pit: {@code pools.i} (after stage i) = timm 0.6.7's {@code transformers.i.pool};</li>
 *   <li>timm 0.9 and later pool at the start of a stage, so the same tensors are {@code transformers.(i+1).pool}
 *       there (its checkpoint filter maps naver's {@code pools.i} to {@code transformers.(i+1).pool}).</li>
 * </ul>
 * The two timm numberings are told apart by whether the first stage has a pooling: only timm 0.6.7's does.
 */
final class PitKeyMap {
  private static final Pattern NAVER_POOL = Pattern.compile("pools\\.(\\d+)\\.(.*)");
  private static final Pattern TIMM_POOL = Pattern.compile("transformers\\.(\\d+)\\.pool\\.(.*)");

  private PitKeyMap() {}

  static KeyMap pit() {
    return KeyMap.builder()
        .normalise(sd -> sd.renameKeys(PitKeyMap::fromNaver))
        .normalise(sd -> poolsAtStageStart(sd) ? sd.renameKeys(PitKeyMap::fromTimmPrePool) : sd)
        .variable("pos_embed", "pos_embed")
        .variable("cls_token", "cls_token")
        .sameModuleNames("patch_embed/conv|transformers/\\d+/(blocks/\\d+/(norm1|norm2|attn/qkv|attn/proj"
            + "|mlp/fc1|mlp/fc2)|pool/conv|pool/fc)|norm|head|head_dist")
        .head("head/")
        .head("head_dist/")
        .build();
  }

  private static String fromNaver(String key) {
    Matcher m = NAVER_POOL.matcher(key);
    return m.matches() ? "transformers." + m.group(1) + ".pool." + m.group(2) : key;
  }

  /** timm 0.9+: some stage has a pooling but the first does not, so pools sit at the stages' start. */
  private static boolean poolsAtStageStart(StateDict sd) {
    boolean any = sd.keys().stream().anyMatch(k -> TIMM_POOL.matcher(k).matches());
    boolean first = sd.keys().stream().anyMatch(k -> k.startsWith("transformers.0.pool."));
    return any && !first;
  }

  private static String fromTimmPrePool(String key) {
    Matcher m = TIMM_POOL.matcher(key);
    return m.matches() ? "transformers." + (Integer.parseInt(m.group(1)) - 1) + ".pool." + m.group(2) : key;
  }
}
