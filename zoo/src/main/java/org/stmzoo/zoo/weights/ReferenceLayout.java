package org.stmzoo.zoo.weights;

import java.util.Arrays;
import java.util.Optional;
import java.util.function.Consumer;
import org.stmzoo.layers.core.ModelVariable;
import org.stmzoo.layers.core.VariableRole;

/**
 * Converts one reference (PyTorch) tensor into the layout of the stmzoo variable it initialises. The
 * conversion follows the variable's role, never its name, so every family gets the same rules:
 * <ul>
 *   <li>kernels of rank 2: Linear {@code [out, in]} (or a 1x1 conv {@code [out, in, 1, 1]}) to {@code [in, out]};</li>
 *   <li>kernels of rank 4: Conv {@code [out, in/groups, kh, kw]} to HWIO {@code [kh, kw, in/groups, out]};
 *       depthwise {@code [C*m, 1, kh, kw]} to {@code [kh, kw, C, m]} (output channel {@code c*m + i});</li>
 *   <li>grid embeddings {@code [1, C, H, W]} to NHWC {@code [1, H', W', C]}, bicubically resized when the
 *       model's grid differs (another image size);</li>
 *   <li>anything else keeps its element order and only loses or gains size-1 axes (a layer scale
 *       {@code [1, C, 1, 1]} becomes {@code [C]}).</li>
 * </ul>
 */
final class ReferenceLayout {
  private ReferenceLayout() {}

  /** The tensor in the variable's shape, or empty if the shapes cannot correspond. */
  static Optional<RawTensor> toVariable(RawTensor source, ModelVariable variable, Consumer<String> notes) {
    long[] target = variable.shape().asArray();
    RawTensor converted = switch (variable.role()) {
      case KERNEL -> kernel(source, target);
      case EMBEDDING -> target.length == 4 && source.rank() == 4 ? gridEmbedding(source, target, variable, notes)
          : source;
      default -> source;
    };
    if (converted == null) {
      return Optional.empty();
    }
    if (Arrays.equals(converted.shape(), target)) {
      return Optional.of(converted);
    }
    // only size-1 axes may differ: the element order is the same
    if (Arrays.equals(Layouts.squeezed(converted.shape()), Layouts.squeezed(target))) {
      return Optional.of(converted.reshape(target));
    }
    return Optional.empty();
  }

  private static RawTensor kernel(RawTensor source, long[] target) {
    long[] s = source.shape();
    if (target.length == 2) {
      if (s.length == 4 && s[2] == 1 && s[3] == 1) {
        source = source.reshape(s[0], s[1]);
      }
      return source.rank() == 2 ? Layouts.permute(source, 1, 0) : null;
    }
    if (target.length == 4 && s.length == 4) {
      RawTensor hwio = Layouts.permute(source, 2, 3, 1, 0);
      // a depthwise kernel [C*m, 1, kh, kw] is now [kh, kw, 1, C*m]: splitting its last axis as (c, i)
      // gives [kh, kw, C, m], because PyTorch's output channel c*m + i is c-major
      boolean depthwise = s[1] == 1 && target[2] * target[3] == s[0] && target[0] == s[2] && target[1] == s[3];
      return depthwise ? hwio.reshape(target) : hwio;
    }
    if (target.length == 4 && s.length == 2 && target[0] == 1 && target[1] == 1) {
      // a 1x1 convolution stored as a Linear
      return Layouts.permute(source, 1, 0).reshape(target);
    }
    return null;
  }

  private static RawTensor gridEmbedding(RawTensor source, long[] target, ModelVariable variable,
      Consumer<String> notes) {
    long[] s = source.shape();
    if (s[0] != 1 || s[1] != target[3]) {
      return null;
    }
    RawTensor grid = source;
    if (s[2] != target[1] || s[3] != target[2]) {
      grid = Layouts.resizeBicubicNchw(source, (int) target[1], (int) target[2]);
      notes.accept(variable.path() + ": position embedding resized bicubically from " + s[2] + "x" + s[3]
          + " to " + target[1] + "x" + target[2]);
    }
    return Layouts.permute(grid, 0, 2, 3, 1);
  }

  /** Whether a variable holds state the importer must set (everything but optimizer/EMA state). */
  static boolean imported(ModelVariable v) {
    return v.role() != VariableRole.TRAINING_STATE;
  }
}
