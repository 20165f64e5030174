package org.stmzoo.zoo.weights;

import java.util.AbstractList;
import java.util.AbstractSet;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.RandomAccess;
import java.util.Set;

/**
 * The Java values a pickle builds besides plain ones (None is null; bool, int, float, str, bytes are Boolean,
 * Long or BigInteger, Double, String, byte[]; list is a mutable {@link List}, dict a {@link LinkedHashMap}, set a
 * mutable {@link Set}). Immutable Python containers get their own types because only they may be dict keys or
 * set members, and because their nesting depth is known when they are built.
 */
final class PickleValues {
  private PickleValues() {}

  /** A Python tuple: immutable, hashable when its items are. */
  static final class Tuple extends AbstractList<Object> implements RandomAccess {
    private final Object[] items;
    final int depth;

    Tuple(List<Object> items) {
      this.items = items.toArray();
      this.depth = 1 + maxDepth(items);
    }

    @Override
    public Object get(int index) {
      return items[index];
    }

    @Override
    public int size() {
      return items.length;
    }
  }

  /** A Python frozenset, members in pickle order. */
  static final class FrozenSet extends AbstractSet<Object> {
    private final Set<Object> items;
    final int depth;

    FrozenSet(Set<Object> items) {
      this.items = Collections.unmodifiableSet(items);
      this.depth = 1 + maxDepth(items);
    }

    @Override
    public Iterator<Object> iterator() {
      return items.iterator();
    }

    @Override
    public int size() {
      return items.size();
    }
  }

  /** A Python bytearray (bytes are plain byte[]). */
  record ByteArray(byte[] bytes) {}

  /**
   * An instance of a class stmzoo has no Java counterpart for ({@code argparse.Namespace}, a numpy scalar, an
   * AMP scaler's class...): the class's name, the arguments it was created with and the state {@code BUILD} gave
   * it, plus the items a dict or list subclass received. It is inert: nothing is called to make it. Equality is
   * identity, as for Python objects without {@code __eq__}, so hashing one never recurses.
   */
  static final class PyObject {
    final String type;
    final List<Object> args;
    Object state;
    final Map<Object, Object> dictItems = new LinkedHashMap<>();
    final List<Object> listItems = new java.util.ArrayList<>();

    PyObject(String type, List<Object> args) {
      this.type = type;
      this.args = args;
    }

    @Override
    public String toString() {
      return type + " instance";
    }
  }

  /** Nesting depth of a hashable container (0 for anything else, whose hashing does not recurse). */
  static int depthOf(Object o) {
    if (o instanceof Tuple t) {
      return t.depth;
    }
    if (o instanceof FrozenSet s) {
      return s.depth;
    }
    return 0;
  }

  private static int maxDepth(Iterable<Object> items) {
    int max = 0;
    for (Object o : items) {
      max = Math.max(max, depthOf(o));
    }
    return max;
  }
}
