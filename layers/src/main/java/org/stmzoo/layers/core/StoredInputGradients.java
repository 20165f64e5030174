package org.stmzoo.layers.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.TensorFlow;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Element-wise functions whose backward pass keeps only their input alive, with the derivative written in Java.
 *
 * <p>TF's symbolic gradient differentiates a function op by op, so every intermediate that one of those ops'
 * gradients reads stays in memory from the forward pass to the backward pass. For GELU written as
 * {@code (erf(x / sqrt 2) + 1) * (x * 0.5)} that is three tensors of the MLP's hidden width besides {@code x}
 * (the erf's input, both factors), where PyTorch keeps only {@code x}. Here the forward value is computed under
 * {@code StopGradient} and passed through an {@code IdentityN(x, value)} whose second output is the result; the
 * node carries {@value #ATTRIBUTE} naming the function, and the gradient registered for {@code IdentityN} (which
 * TF's C++ registry leaves without one) builds {@code dy * f'(x)} from {@code x} alone. An {@code IdentityN}
 * without the attribute gets the identity's gradient, as in TF's Python registry.
 */
public final class StoredInputGradients {
  /** The node attribute naming the derivative (attributes starting with "_" are free to set on any node). */
  public static final String ATTRIBUTE = "_stmzoo_derivative";

  /** {@code f'(x)} of a function, as ops on {@code x}. */
  @FunctionalInterface
  public interface Derivative {
    Operand<TFloat32> at(Ops tf, Operand<TFloat32> x);
  }

  private static final Map<String, Derivative> DERIVATIVES = new ConcurrentHashMap<>();
  private static final boolean REGISTERED = register();

  private StoredInputGradients() {}

  /**
   * {@code value} (computed from {@code x} by the caller) as an output whose gradient with respect to {@code x} is
   * {@code dy * derivative(x)}, and nothing is kept for the backward pass but {@code x}. Falls back to
   * {@code value} itself (TF's op-by-op gradient) when this process could not register the gradient.
   */
  public static Operand<TFloat32> of(Ops tf, String name, Derivative derivative, Operand<TFloat32> x,
      Operand<TFloat32> value) {
    if (!REGISTERED) {
      return value;
    }
    Derivative known = DERIVATIVES.putIfAbsent(name, derivative);
    if (known != null && known != derivative) {
      throw new IllegalStateException("derivative '" + name + "' is already registered as another function");
    }
    GraphOperation identity = (GraphOperation) tf.scope().opBuilder("IdentityN", "StoredInputGradient")
        .addInputList(new Output<?>[] {x.asOutput(), tf.stopGradient(value).asOutput()})
        .setAttr(ATTRIBUTE, name)
        .build();
    return identity.output(1);
  }

  /** Whether the gradient is registered in this process (else {@link #of} returns its value unchanged). */
  public static boolean registered() {
    return REGISTERED;
  }

  private static boolean register() {
    try {
      return TensorFlow.registerCustomGradient("IdentityN", (tf, op, gradients) -> {
        List<Operand<?>> out = new ArrayList<>(gradients);
        String name = derivativeName(op);
        if (name != null) {
          Derivative derivative = DERIVATIVES.get(name);
          if (derivative == null) {
            throw new IllegalStateException(op.name() + " names derivative '" + name + "', which is not registered");
          }
          @SuppressWarnings("unchecked")
          Operand<TFloat32> x = (Operand<TFloat32>) op.input(0);
          @SuppressWarnings("unchecked")
          Operand<TFloat32> dy = (Operand<TFloat32>) gradients.get(1);
          // the second output's gradient goes on into StopGradient, which drops it
          out.set(0, tf.math.mul(dy, derivative.at(tf, x)));
        }
        return out;
      });
    } catch (RuntimeException | LinkageError e) {
      return false;
    }
  }

  private static String derivativeName(GraphOperation op) {
    try {
      return op.attributes().getAttrString(ATTRIBUTE);
    } catch (RuntimeException absent) {
      return null;
    }
  }
}
