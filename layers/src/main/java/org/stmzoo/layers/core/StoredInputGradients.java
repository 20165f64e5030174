package org.stmzoo.layers.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.OperationBuilder;
import org.tensorflow.Output;
import org.tensorflow.TensorFlow;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Functions whose backward pass keeps only their inputs alive, with the gradient written in Java.
 *
 * <p>TF's symbolic gradient differentiates a function op by op, so every intermediate that one of those ops'
 * gradients reads stays in memory from the forward pass to the backward pass. For GELU written as
 * {@code (erf(x / sqrt 2) + 1) * (x * 0.5)} that is three tensors of the MLP's hidden width (the erf's argument,
 * both factors), where PyTorch keeps only {@code x}; for a LayerNorm the centred input and the normalised one. Here
 * the forward value is computed under {@code StopGradient} and passed through an {@code IdentityN(inputs...,
 * value)} whose last output is the result. The node carries {@value #RULE} naming a {@link Rule}, and the gradient
 * registered for {@code IdentityN} (which TF's C++ registry leaves without one) builds the inputs' gradients from
 * the inputs alone. An {@code IdentityN} without the attribute gets the identity's gradient, as in TF's Python
 * registry.
 */
public final class StoredInputGradients {
  /** The node attribute naming the rule (attributes starting with "_" are free to set on any node). */
  public static final String RULE = "_stmzoo_gradient";

  /**
   * A function's gradient: its inputs' gradients, in order, from the inputs and the gradient of its value. It may
   * build ops but must not ask the graph anything (an operand's {@code shape()}): TF Java holds the graph's lock
   * while a gradient is built, so such a call blocks forever. What it needs besides the inputs, it reads from the
   * node's attributes.
   */
  @FunctionalInterface
  public interface Rule {
    /**
     * @param node the {@code IdentityN}, whose attributes carry what {@link #of} was given besides the inputs
     */
    List<Operand<TFloat32>> gradients(Ops tf, GraphOperation node, List<Operand<TFloat32>> inputs,
        Operand<TFloat32> dy);
  }

  /** A rule and whether each use of it is built as one XLA cluster. */
  private record Definition(Rule rule, boolean compiled) {}

  private static final Map<String, Definition> RULES = new ConcurrentHashMap<>();
  private static final boolean REGISTERED = register();

  private StoredInputGradients() {}

  /** Names {@code rule}; a name is given once per process (a class's static initialiser). */
  public static void define(String name, Rule rule) {
    define(name, new Definition(rule, false));
  }

  /**
   * As {@link #define}, for a rule of element-wise ops: each use of it is built as one XLA cluster
   * ({@link XlaCluster}), one kernel instead of a pass over memory per op.
   */
  public static void defineCompiled(String name, Rule rule) {
    define(name, new Definition(rule, true));
  }

  private static void define(String name, Definition definition) {
    if (RULES.putIfAbsent(name, definition) != null) {
      throw new IllegalStateException("gradient rule '" + name + "' is already defined");
    }
  }

  /**
   * {@code value} (computed from {@code inputs} by the caller) as an output whose inputs' gradients are rule
   * {@code name}'s, with nothing kept for the backward pass but {@code inputs}; {@code attributes} (floats or
   * longs, keys starting with "_") go onto the node for the rule to read. Falls back to {@code value} itself
   * (TF's op-by-op gradient) when this process could not register the gradient.
   */
  public static Operand<TFloat32> of(Ops tf, String name, List<Operand<TFloat32>> inputs, Operand<TFloat32> value,
      Map<String, Number> attributes) {
    if (!REGISTERED) {
      return value;
    }
    if (!RULES.containsKey(name)) {
      throw new IllegalArgumentException("no gradient rule '" + name + "' is defined");
    }
    Output<?>[] list = new Output<?>[inputs.size() + 1];
    for (int i = 0; i < inputs.size(); i++) {
      list[i] = inputs.get(i).asOutput();
    }
    list[inputs.size()] = tf.stopGradient(value).asOutput();
    OperationBuilder builder = tf.scope().opBuilder("IdentityN", "StoredInputGradient")
        .addInputList(list)
        .setAttr(RULE, name);
    attributes.forEach((key, number) -> {
      if (!key.startsWith("_")) {
        throw new IllegalArgumentException("attribute " + key + " must start with '_'");
      }
      if (number instanceof Float || number instanceof Double) {
        builder.setAttr(key, number.floatValue());
      } else {
        builder.setAttr(key, number.longValue());
      }
    });
    return ((GraphOperation) builder.build()).output(inputs.size());
  }

  public static Operand<TFloat32> of(Ops tf, String name, List<Operand<TFloat32>> inputs, Operand<TFloat32> value) {
    return of(tf, name, inputs, value, Map.of());
  }

  /** Whether the gradient is registered in this process (else {@link #of} returns its value unchanged). */
  public static boolean registered() {
    return REGISTERED;
  }

  @SuppressWarnings("unchecked")
  private static boolean register() {
    try {
      return TensorFlow.registerCustomGradient("IdentityN", (tf, op, gradients) -> {
        List<Operand<?>> out = new ArrayList<>(gradients);
        String name = ruleName(op);
        if (name != null) {
          Definition definition = RULES.get(name);
          if (definition == null) {
            throw new IllegalStateException(op.name() + " names gradient rule '" + name + "', which is not defined");
          }
          int count = op.numInputs() - 1;
          Operand<TFloat32> dy = (Operand<TFloat32>) gradients.get(count);
          List<Operand<TFloat32>> inputs = new ArrayList<>();
          for (int i = 0; i < count; i++) {
            inputs.add(after(tf, (Operand<TFloat32>) op.input(i), dy));
          }
          Ops ruleOps = definition.compiled() ? XlaCluster.ops(tf, "stmzoo_" + op.name()) : tf;
          List<Operand<TFloat32>> grads = definition.rule().gradients(ruleOps, op, inputs, dy);
          for (int i = 0; i < count; i++) {
            out.set(i, grads.get(i));
          }
          // the value's own gradient goes on into StopGradient, which drops it
        }
        return out;
      });
    } catch (RuntimeException | LinkageError e) {
      return false;
    }
  }

  /**
   * {@code x} through an {@code Identity} whose control input is {@code dy}'s op, so that what a rule computes from
   * the inputs waits for the gradient. Without it TF's executor runs those ops as soon as the inputs exist, during
   * the forward pass (and Grappler may merge them with the forward's identical ops): either way their results
   * (U-DCNv3's gathered neighbour rows, LayerNorm's normalised input) are held from the forward pass to the backward
   * pass, the memory the rule is there to save. The control input is set on the builder: a gradient's scope drops
   * {@code Ops.withControlDependencies}.
   */
  private static Operand<TFloat32> after(Ops tf, Operand<TFloat32> x, Operand<TFloat32> dy) {
    return tf.scope().opBuilder("Identity", "AfterGradient").addInput(x.asOutput()).addControlInput(dy.op())
        .build().output(0);
  }

  private static String ruleName(GraphOperation op) {
    try {
      return op.attributes().getAttrString(RULE);
    } catch (RuntimeException absent) {
      return null;
    }
  }
}
