package org.stmzoo.layers.core;

import java.util.HashMap;
import java.util.Map;
import java.util.regex.Pattern;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;

/**
 * A node of the hierarchical name space of one model: {@code root.child("stages").child(2)} is
 * {@code stages/2}. Children are cached, so asking twice for the same name returns the same scope.
 *
 * <p>The path names variables (checkpoint keys, import maps); graph ops are not put in TF sub-scopes, because
 * TF Java's {@code withSubScope} scans every op of the graph each time it is called, which made building a
 * model quadratic in its size (20 s for U-ConvNeXt-small). Variable ops carry the path with '.' for '/'.
 */
public final class LayerScope {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.\\-]*");

  private final ModelGraph model;
  private final String path;
  private final Ops tf;
  private final Map<String, LayerScope> children = new HashMap<>();

  LayerScope(ModelGraph model, String path, Ops tf) {
    this.model = model;
    this.path = path;
    this.tf = tf;
  }

  public LayerScope child(String name) {
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("invalid layer name '" + name + "' under '" + path + "'");
    }
    return children.computeIfAbsent(name,
        n -> new LayerScope(model, path.isEmpty() ? n : path + "/" + n, tf));
  }

  public LayerScope child(int index) {
    return child(Integer.toString(index));
  }

  /** The ops factory layers build with (shared by the whole model, see the class comment). */
  public Ops tf() {
    return tf;
  }

  public String path() {
    return path;
  }

  public ModelGraph model() {
    return model;
  }

  /** Creates the variable {@code path/name}, once. Decay follows the role's default. */
  public ModelVariable variable(String name, Shape shape, Initializer init, VariableRole role) {
    return variable(name, shape, init, role, role.decayByDefault());
  }

  public ModelVariable variable(String name, Shape shape, Initializer init, VariableRole role, boolean decay) {
    return model.createVariable(this, name, shape, init, role, decay);
  }

  @Override
  public String toString() {
    return path.isEmpty() ? "<root>" : path;
  }
}
