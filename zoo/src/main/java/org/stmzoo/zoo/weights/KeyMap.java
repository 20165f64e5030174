package org.stmzoo.zoo.weights;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How one family's reference checkpoints name its tensors: from each stmzoo variable path to the reference
 * {@code state_dict} key. Rules are regular expressions over stmzoo paths, tried in order, with {@code $n}
 * references in the replacement:
 * <ul>
 *   <li>{@link Builder#module} maps a layer's path (everything before the variable's own name), and the
 *       variable's name is translated by PyTorch's conventions: {@code kernel}/{@code gamma} to
 *       {@code weight}, {@code beta} to {@code bias}, {@code moving_mean}/{@code moving_variance} to
 *       {@code running_mean}/{@code running_var};</li>
 *   <li>{@link Builder#variable} maps a whole variable path (layer scales, tokens, embeddings).</li>
 * </ul>
 * Before mapping, checkpoint keys go through the family's normalisers (aliases of other releases of the
 * same weights, a DDP {@code module.} prefix), and keys that carry no model state
 * ({@code num_batches_tracked}) are dropped. Head variables are re-initialised when the number of classes
 * differs from the checkpoint's.
 */
public final class KeyMap {
  private static final Map<String, String> TORCH_LEAF_NAMES = Map.of(
      "kernel", "weight", "bias", "bias", "gamma", "weight", "beta", "bias",
      "moving_mean", "running_mean", "moving_variance", "running_var");

  /** BatchNorm's step counter: not part of the model function. */
  private static final Pattern STATE_FREE = Pattern.compile("(.*\\.)?num_batches_tracked");

  /** {@code dotted}: after the replacement, the path's '/' separators become PyTorch's '.'. */
  private record Rule(Pattern stmzoo, String reference, boolean wholePath, boolean dotted) {}

  private final List<Rule> rules;
  private final List<UnaryOperator<StateDict>> normalisers;
  private final List<Pattern> ignored;
  private final List<String> headPrefixes;

  private KeyMap(Builder b) {
    this.rules = List.copyOf(b.rules);
    this.normalisers = List.copyOf(b.normalisers);
    this.ignored = List.copyOf(b.ignored);
    this.headPrefixes = List.copyOf(b.headPrefixes);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The reference key of an stmzoo variable, or empty if no rule covers it. */
  public Optional<String> referenceKey(String variablePath) {
    int slash = variablePath.lastIndexOf('/');
    String module = slash < 0 ? "" : variablePath.substring(0, slash);
    String leaf = variablePath.substring(slash + 1);
    for (Rule rule : rules) {
      Matcher m = rule.stmzoo().matcher(rule.wholePath() ? variablePath : module);
      if (!m.matches()) {
        continue;
      }
      String mapped = m.replaceFirst(rule.reference());
      if (rule.dotted()) {
        mapped = mapped.replace('/', '.');
      }
      if (rule.wholePath()) {
        return Optional.of(mapped);
      }
      String torchLeaf = TORCH_LEAF_NAMES.get(leaf);
      if (torchLeaf != null) {
        return Optional.of(mapped + "." + torchLeaf);
      }
    }
    return Optional.empty();
  }

  /** The checkpoint with aliases resolved and state-free keys dropped. */
  public StateDict normalise(StateDict checkpoint) {
    // DDP-wrapped checkpoints prefix every key with "module."
    StateDict out = checkpoint.keys().stream().allMatch(k -> k.startsWith("module."))
        ? checkpoint.renameKeys(k -> k.substring("module.".length())) : checkpoint;
    for (UnaryOperator<StateDict> n : normalisers) {
      out = n.apply(out);
    }
    Map<String, RawTensor> kept = new java.util.LinkedHashMap<>(out.tensors());
    kept.keySet().removeIf(key -> STATE_FREE.matcher(key).matches()
        || ignored.stream().anyMatch(p -> p.matcher(key).matches()));
    return new StateDict(kept);
  }

  /** Whether the variable belongs to the classifier head (re-initialised for another class count). */
  public boolean isHead(String variablePath) {
    return headPrefixes.stream().anyMatch(variablePath::startsWith);
  }

  public static final class Builder {
    private final List<Rule> rules = new ArrayList<>();
    private final List<UnaryOperator<StateDict>> normalisers = new ArrayList<>();
    private final List<Pattern> ignored = new ArrayList<>();
    private final List<String> headPrefixes = new ArrayList<>();

    private Builder() {}

    /** Maps the layer at stmzoo path {@code stmzooRegex} to the reference module {@code referenceModule}. */
    public Builder module(String stmzooRegex, String referenceModule) {
      rules.add(new Rule(Pattern.compile(stmzooRegex), referenceModule, false, false));
      return this;
    }

    /**
     * Layers under {@code stmzooRegex} carry the reference module's own name, '/' for '.': for families
     * whose stmzoo paths were chosen to mirror the reference (e.g. {@code transformers/0/blocks/1/attn/qkv}).
     */
    public Builder sameModuleNames(String stmzooRegex) {
      rules.add(new Rule(Pattern.compile(stmzooRegex), "$0", false, true));
      return this;
    }

    /** Maps the variable at stmzoo path {@code stmzooRegex} to the reference key {@code referenceKey}. */
    public Builder variable(String stmzooRegex, String referenceKey) {
      rules.add(new Rule(Pattern.compile(stmzooRegex), referenceKey, true, false));
      return this;
    }

    /** Adds every rule of {@code other} (a shared skeleton's map), after the rules added so far. */
    public Builder include(KeyMap other) {
      rules.addAll(other.rules);
      headPrefixes.addAll(other.headPrefixes);
      ignored.addAll(other.ignored);
      normalisers.addAll(other.normalisers);
      return this;
    }

    /** Drops checkpoint keys matching {@code regex} (whole key): tensors the model has no use for. */
    public Builder ignore(String regex) {
      ignored.add(Pattern.compile(regex));
      return this;
    }

    /** Renames checkpoint keys (an alias naming of the same tensors) before mapping. */
    public Builder normalise(UnaryOperator<StateDict> normaliser) {
      normalisers.add(normaliser);
      return this;
    }

    /** Renames every checkpoint key matching {@code regex} (whole key) to {@code replacement}. */
    public Builder alias(String regex, String replacement) {
      Pattern p = Pattern.compile(regex);
      return normalise(sd -> sd.renameKeys(k -> {
        Matcher m = p.matcher(k);
        return m.matches() ? m.replaceFirst(replacement) : k;
      }));
    }

    /** Marks the variables under {@code stmzooPrefix} as the classifier head. */
    public Builder head(String stmzooPrefix) {
      headPrefixes.add(stmzooPrefix);
      return this;
    }

    public KeyMap build() {
      return new KeyMap(this);
    }
  }
}
