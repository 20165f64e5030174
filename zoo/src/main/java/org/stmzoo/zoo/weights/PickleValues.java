package org.stmzoo.zoo.weights;

import java.math.BigInteger;
import java.util.AbstractList;
import java.util.AbstractSet;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
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

  /**
   * A value that Python would hash by identity but that must never be a dict key or set member here (a tensor
   * view: it describes data, and its arguments may hold containers that hold themselves).
   */
  interface Unhashable {}

  /** An immutable container (tuple, frozenset), whose nesting depth and unfolded size are known once built. */
  interface Frozen {
    int depth();

    /** Its values counted as often as they occur (saturating), itself included. */
    long unfoldedSize();
  }

  /**
   * A Python tuple: immutable, hashable when its items are. Its hash, hashability and size (values counted as
   * often as they occur, saturating) are computed once, when it is built from items that already exist: a tuple
   * of tuples that share items (a pickle of {@code DUP, TUPLE2} repeated) is a DAG whose unfolded size doubles
   * with every level, and Java's list hashing would walk it unfolded.
   */
  static final class Tuple extends AbstractList<Object> implements RandomAccess, Frozen {
    private final Object[] items;
    private final int depth;
    final boolean hashable;
    private final long unfoldedSize;
    private final int hash;

    Tuple(List<Object> items) {
      this.items = items.toArray();
      this.depth = 1 + maxDepth(items);
      this.hashable = allHashable(items);
      this.unfoldedSize = unfoldedSizeOfAll(items);
      this.hash = hashable ? tupleHash(this.items) : System.identityHashCode(this);
    }

    @Override
    public Object get(int index) {
      return items[index];
    }

    @Override
    public int size() {
      return items.length;
    }

    @Override
    public int depth() {
      return depth;
    }

    @Override
    public long unfoldedSize() {
      return unfoldedSize;
    }

    @Override
    public int hashCode() {
      return hash;
    }

    @Override
    public boolean equals(Object o) {
      if (o == this) {
        return true;
      }
      if (o instanceof Tuple t && hashable && t.hashable && (t.hash != hash || t.items.length != items.length)) {
        return false;
      }
      return super.equals(o);
    }
  }

  /** A Python frozenset, members in pickle order (each member was checked hashable before it was added). */
  static final class FrozenSet extends AbstractSet<Object> implements Frozen {
    private final Set<Object> items;
    private final int depth;
    private final long unfoldedSize;
    private final int hash;

    FrozenSet(Set<Object> items) {
      this.items = Collections.unmodifiableSet(items);
      this.depth = 1 + maxDepth(items);
      this.unfoldedSize = unfoldedSizeOfAll(items);
      long h = items.size();
      for (Object o : items) {
        h += mix(Objects.hashCode(o)); // a sum: the order of the members does not matter
      }
      this.hash = fold(mix(h));
    }

    @Override
    public Iterator<Object> iterator() {
      return items.iterator();
    }

    @Override
    public int size() {
      return items.size();
    }

    @Override
    public int depth() {
      return depth;
    }

    @Override
    public long unfoldedSize() {
      return unfoldedSize;
    }

    @Override
    public int hashCode() {
      return hash;
    }

    @Override
    public boolean equals(Object o) {
      if (o == this) {
        return true;
      }
      if (o instanceof FrozenSet f && (f.hash != hash || f.size() != size())) {
        return false;
      }
      return super.equals(o);
    }
  }

  /**
   * A Python int beyond 64 bits. BigInteger hashes its whole magnitude at every call: a tuple or a dict holding a
   * memoized 400 KB int 200,000 times would hash 80 GB. This one hashes it once, when it is read; it equals
   * any BigInteger of its value.
   */
  static final class BigInt extends BigInteger {
    private final int hash;

    BigInt(BigInteger value) {
      super(value.toByteArray());
      this.hash = super.hashCode();
    }

    @Override
    public int hashCode() {
      return hash;
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

  /**
   * Python's tuple hash (an xxHash round per item): unlike List's {@code 31 * h + item}, under which (i, j) and
   * (i + 1, j - 31) collide, tuples of small numbers (grid coordinates...) share a hash only by chance, so that
   * dicts keyed by them stay far below {@link AllowListUnpickler#MAX_KEYS_PER_HASH}.
   */
  private static int tupleHash(Object[] items) {
    long acc = 0x27D4EB2F165667C5L;
    for (Object o : items) {
      acc += Objects.hashCode(o) * 0xC2B2AE3D27D4EB4FL;
      acc = Long.rotateLeft(acc, 31) * 0x9E3779B185EBCA87L;
    }
    return fold(acc + (items.length ^ 0x27D4EB2F165667C5L ^ 3527539L));
  }

  /** MurmurHash3's 64-bit finalizer. */
  private static long mix(long h) {
    h = (h ^ (h >>> 33)) * 0xFF51AFD7ED558CCDL;
    h = (h ^ (h >>> 33)) * 0xC4CEB9FE1A85EC53L;
    return h ^ (h >>> 33);
  }

  private static int fold(long h) {
    return (int) (h ^ (h >>> 32));
  }

  /** Nesting depth of a hashable container (0 for anything else, whose hashing does not recurse). */
  static int depthOf(Object o) {
    return o instanceof Frozen f ? f.depth() : 0;
  }

  private static int maxDepth(Iterable<Object> items) {
    int max = 0;
    for (Object o : items) {
      max = Math.max(max, depthOf(o));
    }
    return max;
  }

  /**
   * Whether Python could hash {@code o} (a list, dict, set or bytearray, or a tuple holding one, cannot) and this
   * reader will: a tensor view is refused too. O(1): a tuple's hashability was settled when it was built.
   */
  static boolean isHashable(Object o) {
    if (o instanceof Tuple t) {
      return t.hashable;
    }
    if (o instanceof FrozenSet) {
      return true;
    }
    return !(o instanceof List || o instanceof Map || o instanceof Set || o instanceof ByteArray
        || o instanceof Unhashable);
  }

  /** The number of values in {@code o} counted as often as they occur (1 for a non-container), saturating. */
  static long unfoldedSizeOf(Object o) {
    return o instanceof Frozen f ? f.unfoldedSize() : 1;
  }

  private static boolean allHashable(Iterable<Object> items) {
    for (Object o : items) {
      if (!isHashable(o)) {
        return false;
      }
    }
    return true;
  }

  private static long unfoldedSizeOfAll(Iterable<Object> items) {
    long size = 1;
    for (Object o : items) {
      size = Math.min(Long.MAX_VALUE / 2, size + unfoldedSizeOf(o));
    }
    return size;
  }
}
