package org.stmzoo.zoo.registry;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.StringJoiner;

/**
 * A variant's configuration as its family's paper states it (depths, dims, heads, STM settings), implemented by a
 * record of the family. {@link #describe()} renders the components as {@code name=value} pairs for
 * {@code ./stmzoo describe}, so a new component shows up without touching the description.
 */
public interface VariantConfig {
  default String describe() {
    if (!getClass().isRecord()) {
      return toString();
    }
    StringJoiner out = new StringJoiner(" ");
    for (RecordComponent c : getClass().getRecordComponents()) {
      Object value;
      try {
        value = c.getAccessor().invoke(this);
      } catch (IllegalAccessException | InvocationTargetException e) {
        throw new IllegalStateException("cannot read " + c.getName() + " of " + getClass().getName(), e);
      }
      if (value instanceof VariantConfig nested) {
        out.add(nested.describe());
      } else {
        out.add(c.getName() + "=" + format(value));
      }
    }
    return out.toString();
  }

  private static String format(Object value) {
    if (value instanceof int[] a) {
      return Arrays.toString(a);
    }
    if (value instanceof double[] a) {
      return Arrays.toString(a);
    }
    if (value instanceof float[] a) {
      return Arrays.toString(a);
    }
    if (value instanceof Object[] a) {
      return Arrays.deepToString(a);
    }
    return String.valueOf(value);
  }
}
