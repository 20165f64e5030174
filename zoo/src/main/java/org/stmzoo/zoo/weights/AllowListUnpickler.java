package org.stmzoo.zoo.weights;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import org.stmzoo.zoo.weights.PickleValues.ByteArray;
import org.stmzoo.zoo.weights.PickleValues.FrozenSet;
import org.stmzoo.zoo.weights.PickleValues.PyObject;
import org.stmzoo.zoo.weights.PickleValues.Tuple;

/**
 * A pickle reader (every opcode of protocols 0 to 5, as Python's {@code pickle.py} lists them) that executes
 * nothing. A pickle names Python callables ({@code GLOBAL module name}) and calls them ({@code REDUCE},
 * {@code NEWOBJ}, {@code BUILD}). Here a callable the caller allows builds a Java value (an OrderedDict, a
 * tensor view); one that runs code ({@link CodeRunningGlobals}: os.system, builtins.eval...) is refused with its
 * name the moment it is named; any other becomes an inert {@link PyObject} (its name, arguments and state), so
 * the parts of a training checkpoint stmzoo does not need (argparse.Namespace, numpy scalars, optimizer and AMP
 * state) are read without being understood.
 *
 * <p>Every allocation is bounded by {@link CheckpointLimits}: lengths by the bytes left, values created (or
 * copied by a call such as list(L)) by {@code maxPickleObjects}, open MARKs and immutable nesting by
 * {@code maxPickleDepth}. Dict keys and set members must be hashable (no lists, dicts or sets, as in Python),
 * which keeps a self-containing list from recursing.
 */
final class AllowListUnpickler {
  /** A callable the pickle may name, and what calling it with its arguments builds. */
  @FunctionalInterface
  interface Callable {
    Object call(List<Object> args);
  }

  /** A named global: {@code module.qualname}; its callable is null for an inert class or function. */
  record Global(String name, Callable callable) {
    @Override
    public String toString() {
      return name;
    }
  }

  /** Python's default: integers written as text may have at most this many digits (sys.int_info). */
  private static final int MAX_TEXT_INT_DIGITS = 4300;
  private static final int HIGHEST_PROTOCOL = 5;

  private final ByteBuffer in;
  private final Map<String, Callable> allowed;
  private final Function<Object, Object> persistentLoad;
  private final CheckpointLimits limits;
  private final List<Object> stack = new ArrayList<>();
  /** Stack sizes at each MARK (Python's metastack). */
  private final List<Integer> marks = new ArrayList<>();
  private final Map<Long, Object> memo = new HashMap<>();
  /** Each string latin-1 encoded so far (by identity) and its bytes. */
  private final Map<String, byte[]> latin1Encoded = new IdentityHashMap<>();
  /** Each dict and set of at least TRACKED_FROM_KEYS keys (by identity): how many of its keys have each hash. */
  private final Map<Object, Map<Integer, Integer>> keyHashes = new IdentityHashMap<>();
  private long objects;

  /**
   * @param allowed {@code "module.name"} to what calling it builds; other harmless globals become inert objects
   * @param persistentLoad resolves persistent ids (PyTorch's storages); null if the pickle may have none
   */
  AllowListUnpickler(byte[] pickle, Map<String, Callable> allowed, Function<Object, Object> persistentLoad) {
    this(pickle, allowed, persistentLoad, CheckpointLimits.defaults());
  }

  AllowListUnpickler(byte[] pickle, Map<String, Callable> allowed, Function<Object, Object> persistentLoad,
      CheckpointLimits limits) {
    if (pickle.length > limits.maxPickleBytes()) {
      throw malformed("a pickle of " + pickle.length + " bytes exceeds the limit of " + limits.maxPickleBytes()
          + " (" + CheckpointLimits.knob("pickle-bytes") + ")");
    }
    this.in = ByteBuffer.wrap(pickle).order(ByteOrder.LITTLE_ENDIAN);
    this.allowed = allowed;
    this.persistentLoad = persistentLoad;
    this.limits = limits;
  }

  Object load() {
    try {
      while (true) {
        int at = in.position();
        int op = in.get() & 0xFF;
        if (op == '.') { // STOP
          return pop(); // leftovers below are ignored, as Python ignores them
        }
        execute(op, at);
      }
    } catch (java.nio.BufferUnderflowException e) {
      throw malformed("the pickle ends in the middle of an instruction (truncated)");
    }
  }

  private void execute(int op, int at) {
    switch (op) {
      case 0x80 -> { // PROTO
        int protocol = in.get() & 0xFF;
        if (protocol > HIGHEST_PROTOCOL) {
          throw malformed("unsupported pickle protocol " + protocol);
        }
      }
      case 0x95 -> { // FRAME: framing only groups opcodes; its length must still fit
        long length = in.getLong();
        if (length < 0 || length > in.remaining()) {
          throw malformed("a frame of " + length + " bytes runs past the end of the pickle");
        }
      }
      case '(' -> mark();
      case '}' -> push(new LinkedHashMap<>()); // EMPTY_DICT
      case ']' -> push(new ArrayList<>()); // EMPTY_LIST
      case ')' -> push(tuple(List.of())); // EMPTY_TUPLE
      case 0x8f -> push(new LinkedHashSet<>()); // EMPTY_SET
      case 't' -> push(tuple(popToMark())); // TUPLE
      case 0x85 -> push(tuple(popN(1))); // TUPLE1
      case 0x86 -> push(tuple(popN(2))); // TUPLE2
      case 0x87 -> push(tuple(popN(3))); // TUPLE3
      case 'l' -> push(new ArrayList<>(popToMark())); // LIST
      case 'd' -> push(setItems(popToMark(), new LinkedHashMap<>())); // DICT
      case 0x91 -> push(frozenSet(popToMark())); // FROZENSET
      case 'a' -> { // APPEND
        Object item = pop();
        appendTo(peek(), java.util.Collections.singletonList(item)); // may be None: no List.of
      }
      case 'e' -> { // APPENDS
        List<Object> items = popToMark();
        appendTo(peek(), items);
      }
      case 's' -> { // SETITEM
        Object value = pop();
        Object key = pop();
        setItemsOf(peek(), java.util.Arrays.asList(key, value));
      }
      case 'u' -> { // SETITEMS
        List<Object> items = popToMark();
        setItemsOf(peek(), items);
      }
      case 0x90 -> { // ADDITEMS
        List<Object> items = popToMark();
        if (!(peek() instanceof Set<?> set) || set instanceof FrozenSet) {
          throw malformed("ADDITEMS to " + describe(peek()) + ", which is not a set");
        }
        addAll(castSet(set), items);
      }
      case 'K' -> push((long) (in.get() & 0xFF)); // BININT1
      case 'M' -> push((long) (in.getShort() & 0xFFFF)); // BININT2
      case 'J' -> push((long) in.getInt()); // BININT
      case 0x8a -> push(integer(bytes(in.get() & 0xFF))); // LONG1
      case 0x8b -> push(integer(bytes(length(in.getInt())))); // LONG4
      case 'I' -> push(textInt(readLine())); // INT (protocol 0; "00"/"01" are False/True)
      case 'L' -> push(textLong(readLine())); // LONG (protocol 0)
      case 'G' -> push(Double.longBitsToDouble(Long.reverseBytes(in.getLong()))); // BINFLOAT is big-endian
      case 'F' -> push(textFloat(readLine())); // FLOAT (protocol 0)
      case 'N' -> push(null);
      case 0x88 -> push(Boolean.TRUE);
      case 0x89 -> push(Boolean.FALSE);
      case 0x8c -> push(utf8(bytes(in.get() & 0xFF))); // SHORT_BINUNICODE
      case 'X' -> push(utf8(bytes(length(in.getInt())))); // BINUNICODE
      case 0x8d -> push(utf8(bytes(length(in.getLong())))); // BINUNICODE8
      case 'V' -> push(PickleText.rawUnicodeEscape(readLine())); // UNICODE (protocol 0)
      case 'U' -> push(latin1(bytes(in.get() & 0xFF))); // SHORT_BINSTRING (Python 2 str, read as latin-1)
      case 'T' -> push(latin1(bytes(length(in.getInt())))); // BINSTRING
      case 'S' -> push(PickleText.quoted(readLine())); // STRING (protocol 0)
      case 'C' -> push(bytes(in.get() & 0xFF)); // SHORT_BINBYTES
      case 'B' -> push(bytes(length(in.getInt()))); // BINBYTES
      case 0x8e -> push(bytes(length(in.getLong()))); // BINBYTES8
      case 0x96 -> push(new ByteArray(bytes(length(in.getLong())))); // BYTEARRAY8
      case 0x97 -> throw malformed("NEXT_BUFFER: the pickle needs out-of-band buffers, and none are given");
      case 0x98 -> peek(); // READONLY_BUFFER: read-only or not, a buffer stays bytes here
      case 'c' -> { // GLOBAL module\nname\n
        String module = readLine();
        push(global(module, readLine()));
      }
      case 0x93 -> { // STACK_GLOBAL
        String name = asString(pop());
        push(global(asString(pop()), name));
      }
      case 'i' -> { // INST module\nname\n: class(*items since MARK)
        String module = readLine();
        Global cls = global(module, readLine());
        push(call(cls, popToMark()));
      }
      case 'o' -> { // OBJ: MARK cls args... OBJ
        List<Object> items = popToMark();
        if (items.isEmpty()) {
          throw malformed("OBJ without a class");
        }
        push(call(items.get(0), items.subList(1, items.size())));
      }
      case 'R' -> { // REDUCE: callable(*args)
        List<Object> args = asTuple(pop());
        push(call(pop(), args));
      }
      case 0x81 -> { // NEWOBJ: cls.__new__(cls, *args)
        List<Object> args = asTuple(pop());
        push(call(pop(), args));
      }
      case 0x92 -> { // NEWOBJ_EX: cls.__new__(cls, *args, **kwargs)
        Object kwargs = pop();
        List<Object> args = asTuple(pop());
        Object created = call(pop(), args);
        if (kwargs instanceof Map<?, ?> m && !m.isEmpty() && created instanceof PyObject o) {
          o.state = kwargs;
        }
        push(created);
      }
      case 'b' -> { // BUILD: obj.__setstate__(state) or obj.__dict__.update(state)
        Object state = pop();
        build(peek(), state);
      }
      case 'Q' -> push(persistent(pop())); // BINPERSID
      case 'P' -> push(persistent(readLine())); // PERSID (protocol 0)
      case 0x82, 0x83, 0x84 -> { // EXT1, EXT2, EXT4
        long code = op == 0x82 ? in.get() & 0xFF : op == 0x83 ? in.getShort() & 0xFFFF : in.getInt();
        throw malformed("extension code " + code + " (copyreg's extension registry is empty here, as it is in"
            + " Python by default)");
      }
      case 'q' -> memoize(in.get() & 0xFF); // BINPUT
      case 'r' -> memoize(in.getInt() & 0xFFFFFFFFL); // LONG_BINPUT
      case 'p' -> memoize(textIndex(readLine())); // PUT (protocol 0)
      case 0x94 -> memoize(memo.size()); // MEMOIZE
      case 'h' -> push(memoGet(in.get() & 0xFF)); // BINGET
      case 'j' -> push(memoGet(in.getInt() & 0xFFFFFFFFL)); // LONG_BINGET
      case 'g' -> push(memoGet(textIndex(readLine()))); // GET (protocol 0)
      case '0' -> { // POP: the top value, or the top MARK as Python does
        if (!marks.isEmpty() && marks.get(marks.size() - 1) == stack.size()) {
          popToMark();
        } else {
          pop();
        }
      }
      case '1' -> popToMark(); // POP_MARK
      case '2' -> push(peek()); // DUP
      default -> throw malformed(String.format("unknown pickle opcode 0x%02x at byte %d", op, at));
    }
  }

  private Global global(String rawModule, String name) {
    String module = CodeRunningGlobals.python3Module(rawModule);
    String qualified = module + "." + name;
    CodeRunningGlobals.reason(module, name).ifPresent(why -> {
      throw new WeightFormatException("refusing to unpickle global '" + qualified + "': " + why
          + " (a checkpoint that names it may run code when Python loads it)");
    });
    return new Global(qualified, allowed.get(qualified));
  }

  /** REDUCE, NEWOBJ, INST, OBJ: an allowed global builds its value; any other global an inert object. */
  private Object call(Object callable, List<Object> args) {
    if (!(callable instanceof Global g)) {
      throw malformed("a call of " + describe(callable) + ", which is not a global");
    }
    if (g.callable() != null) {
      return g.callable().call(args);
    }
    return switch (g.name()) {
      case "collections.OrderedDict", "builtins.dict" -> args.isEmpty() ? new LinkedHashMap<>() : inert(g, args);
      case "builtins.list" -> args.isEmpty() ? new ArrayList<>() : listOf(args.get(0), g, args);
      case "builtins.set" -> args.isEmpty() ? new LinkedHashSet<>() : setOf(args.get(0), g, args);
      case "builtins.frozenset" -> args.isEmpty() ? frozenSet(List.of())
          : args.get(0) instanceof List<?> l ? frozenSet(copied(l)) : inert(g, args);
      case "builtins.bytes" -> args.isEmpty() ? new byte[0] : inert(g, args);
      case "builtins.bytearray" -> byteArray(g, args);
      case "_codecs.encode" -> {
        byte[] bytes = latin1Bytes(args);
        yield bytes != null ? bytes : inert(g, args);
      }
      // copyreg._reconstructor(cls, base, state): how protocols 0 and 1 pickle plain objects
      case "copyreg._reconstructor" -> args.size() == 3 && args.get(0) instanceof Global cls
          ? new PyObject(cls.name(), List.of()) : inert(g, args);
      default -> inert(g, args);
    };
  }

  private static PyObject inert(Global g, List<Object> args) {
    return new PyObject(g.name(), args);
  }

  private Object listOf(Object items, Global g, List<Object> args) {
    return items instanceof List<?> l ? new ArrayList<Object>(copied(l)) : inert(g, args);
  }

  private Object setOf(Object items, Global g, List<Object> args) {
    if (!(items instanceof List<?> l)) {
      return inert(g, args);
    }
    Set<Object> set = new LinkedHashSet<>();
    addAll(set, copied(l));
    return set;
  }

  /**
   * The items of a list or tuple that list(), set() or frozenset() copies into a new container: each counts as a
   * value created, as it did when the list was built, so that calling list(L) again and again on one large
   * memoized L is bounded by {@code maxPickleObjects} in time as well as in memory.
   */
  private List<Object> copied(List<?> items) {
    count(items.size());
    return castList(items);
  }

  /** bytearray(), bytearray(bytes) (protocols 3, 4) or bytearray(latin-1 str, 'latin-1') (protocol 2). */
  private Object byteArray(Global g, List<Object> args) {
    if (args.isEmpty()) {
      return new ByteArray(new byte[0]);
    }
    if (args.size() == 1 && args.get(0) instanceof byte[] b) {
      return new ByteArray(b);
    }
    byte[] latin1 = latin1Bytes(args);
    return latin1 != null ? new ByteArray(latin1) : inert(g, args);
  }

  /**
   * {@code (str, 'latin1')}: how protocol 2 writes bytes (via _codecs.encode) and bytearrays. A string encoded
   * again gives the bytes it gave before (nothing here writes to bytes), so that encoding one large memoized
   * string over and over costs no more than the pickle bytes that wrote it.
   */
  private byte[] latin1Bytes(List<Object> args) {
    if (args.size() == 2 && args.get(0) instanceof String s && args.get(1) instanceof String encoding
        && (encoding.equals("latin1") || encoding.equals("latin-1"))) {
      return latin1Encoded.computeIfAbsent(s, text -> text.getBytes(StandardCharsets.ISO_8859_1));
    }
    return null;
  }

  /**
   * BUILD: an inert object keeps its state; the state of a dict, list or set (a state_dict's {@code _metadata},
   * set as an attribute) is not an item and is dropped, as nothing here needs attributes.
   */
  private void build(Object target, Object state) {
    if (target instanceof PyObject o) {
      o.state = state;
    } else if (!(target instanceof Map || target instanceof List || target instanceof Set)) {
      throw malformed("BUILD of " + describe(target));
    }
  }

  private Object persistent(Object pid) {
    if (persistentLoad == null) {
      throw malformed("persistent id " + describe(pid) + " in a pickle that may hold none");
    }
    return persistentLoad.apply(pid);
  }

  private void appendTo(Object target, List<Object> items) {
    if (target instanceof PyObject o) {
      o.listItems.addAll(items);
    } else if (target instanceof List<?> list && !(target instanceof Tuple)) {
      castList(list).addAll(items);
    } else if (target instanceof Set<?> set && !(target instanceof FrozenSet)) {
      addAll(castSet(set), items); // a set subclass may be pickled with APPENDS
    } else {
      throw malformed("APPEND to " + describe(target) + ", which is not a list");
    }
  }

  private void setItemsOf(Object target, List<Object> items) {
    if (target instanceof PyObject o) {
      setItems(items, o.dictItems);
    } else if (target instanceof Map<?, ?> map) {
      setItems(items, castMap(map));
    } else {
      throw malformed("SETITEM on " + describe(target) + ", which is not a dict");
    }
  }

  private Map<Object, Object> setItems(List<Object> items, Map<Object, Object> into) {
    if (items.size() % 2 != 0) {
      throw malformed("odd number of items for a dict");
    }
    for (int i = 0; i < items.size(); i += 2) {
      into.put(admit(items.get(i), into, into.keySet()), items.get(i + 1));
    }
    return into;
  }

  private void addAll(Set<Object> set, List<Object> items) {
    for (Object item : items) {
      set.add(admit(item, set, set));
    }
  }

  /**
   * At most this many keys of one dict or set may share a hash code. HashMap compares a key with the keys of its
   * hash one by one (it searches them as a tree only when they are all of one Comparable class: not tuples, not
   * strings among ints), so keys chosen to collide, {@code (i, 2**30 - 31 * i)} or strings and ints of one hash,
   * cost time quadratic in their number. Real keys share a hash only by chance.
   */
  static final int MAX_KEYS_PER_HASH = 32;
  /** Below this many keys, a dict or set's keys of one hash are counted when needed, not tracked. */
  private static final int TRACKED_FROM_KEYS = 8;

  /**
   * {@code key} about to be put into {@code container}, whose keys are {@code keys}: hashable, not one key too many
   * for its hash, and each comparison the put makes with the keys of its hash counted as values (a key's unfolded
   * size is what comparing it may cost).
   */
  private Object admit(Object key, Object container, Set<?> keys) {
    requireHashable(key);
    int hash = Objects.hashCode(key);
    Map<Integer, Integer> hashes = keyHashes.get(container);
    if (hashes == null && keys.size() >= TRACKED_FROM_KEYS) {
      hashes = new HashMap<>();
      for (Object k : keys) {
        hashes.merge(Objects.hashCode(k), 1, Integer::sum);
      }
      keyHashes.put(container, hashes);
    }
    int sharing = hashes != null ? hashes.getOrDefault(hash, 0) : sameHash(keys, hash);
    if (sharing > 0) {
      count(sharing * PickleValues.unfoldedSizeOf(key));
      if (keys.contains(key)) {
        return key; // its value is replaced, or it is in the set already
      }
      if (sharing >= MAX_KEYS_PER_HASH) {
        throw malformed("more than " + MAX_KEYS_PER_HASH + " keys of one dict or set share the hash of "
            + describe(key) + " (keys chosen to collide)");
      }
    }
    if (hashes != null) {
      hashes.put(hash, sharing + 1);
    }
    return key;
  }

  private static int sameHash(Set<?> keys, int hash) {
    int n = 0;
    for (Object k : keys) {
      n += Objects.hashCode(k) == hash ? 1 : 0;
    }
    return n;
  }

  private FrozenSet frozenSet(List<Object> items) {
    Set<Object> set = new LinkedHashSet<>();
    addAll(set, items);
    return checkDepth(new FrozenSet(set));
  }

  private Tuple tuple(List<Object> items) {
    return checkDepth(new Tuple(items));
  }

  private <T> T checkDepth(T container) {
    if (PickleValues.depthOf(container) > limits.maxPickleDepth()) {
      throw malformed("tuples or frozensets nested deeper than " + limits.maxPickleDepth() + " ("
          + CheckpointLimits.knob("pickle-depth") + ")");
    }
    return container;
  }

  /**
   * At most this many values (counted as often as they occur) in one dict key or set member: real keys are
   * strings, numbers or small tuples, and comparing two equal keys costs their unfolded size.
   */
  static final long MAX_KEY_VALUES = 10_000;

  /**
   * Python refuses unhashable keys (lists, dicts, sets, bytearrays, tuples holding them); so does this reader,
   * which keeps Java's hashing of a key from recursing into a container that holds itself. Tuples and frozensets
   * settle their hashability and hash when built (O(1) here); one whose unfolded size is large (shared items,
   * a DAG) is refused, so that comparing equal keys stays cheap. Tensor views are refused as keys.
   */
  Object requireHashable(Object key) {
    if (!PickleValues.isHashable(key)) {
      Object culprit = key;
      while (culprit instanceof Tuple t) { // an unhashable tuple has an unhashable item: name it
        Object next = null;
        for (Object item : t) {
          if (!PickleValues.isHashable(item)) {
            next = item;
            break;
          }
        }
        culprit = next;
      }
      throw malformed("unhashable " + describe(culprit) + " used as a dict key or set member");
    }
    if (PickleValues.unfoldedSizeOf(key) > MAX_KEY_VALUES) {
      throw malformed("a dict key or set member of more than " + MAX_KEY_VALUES
          + " values (tuples sharing items, nested)");
    }
    return key;
  }

  private void mark() {
    if (marks.size() >= limits.maxPickleDepth()) {
      throw malformed("more than " + limits.maxPickleDepth() + " MARKs open at once ("
          + CheckpointLimits.knob("pickle-depth") + ")");
    }
    marks.add(stack.size());
  }

  private void push(Object value) {
    count();
    stack.add(value);
  }

  private void count() {
    count(1);
  }

  private void count(long values) {
    objects += values;
    if (objects > limits.maxPickleObjects()) {
      throw malformed("the pickle creates more than " + limits.maxPickleObjects() + " values ("
          + CheckpointLimits.knob("pickle-objects") + ")");
    }
  }

  private void memoize(long index) {
    count();
    memo.put(index, peek());
  }

  private List<Object> popN(int n) {
    int floor = marks.isEmpty() ? 0 : marks.get(marks.size() - 1);
    if (stack.size() - n < floor) {
      throw malformed("stack underflow");
    }
    List<Object> top = new ArrayList<>(stack.subList(stack.size() - n, stack.size()));
    stack.subList(stack.size() - n, stack.size()).clear();
    return top;
  }

  private List<Object> popToMark() {
    if (marks.isEmpty()) {
      throw malformed("no MARK on the stack");
    }
    int mark = marks.remove(marks.size() - 1);
    List<Object> items = new ArrayList<>(stack.subList(mark, stack.size()));
    stack.subList(mark, stack.size()).clear();
    return items;
  }

  private Object pop() {
    return popN(1).get(0);
  }

  private Object peek() {
    int floor = marks.isEmpty() ? 0 : marks.get(marks.size() - 1);
    if (stack.size() <= floor) {
      throw malformed("stack underflow");
    }
    return stack.get(stack.size() - 1);
  }

  private Object memoGet(long index) {
    if (!memo.containsKey(index)) {
      throw malformed("memo entry " + index + " read before it was written");
    }
    return memo.get(index);
  }

  @SuppressWarnings("unchecked")
  private static List<Object> castList(List<?> l) {
    return (List<Object>) l;
  }

  @SuppressWarnings("unchecked")
  private static Map<Object, Object> castMap(Map<?, ?> m) {
    return (Map<Object, Object>) m;
  }

  @SuppressWarnings("unchecked")
  private static Set<Object> castSet(Set<?> s) {
    return (Set<Object>) s;
  }

  private static List<Object> asTuple(Object o) {
    if (o instanceof Tuple t) {
      return t;
    }
    throw malformed("expected a tuple of arguments, found " + describe(o));
  }

  private static String asString(Object o) {
    if (o instanceof String s) {
      return s;
    }
    throw malformed("expected a string, found " + describe(o));
  }

  private int length(long n) {
    if (n < 0 || n > in.remaining()) {
      throw malformed("a length of " + n + " bytes runs past the end of the pickle");
    }
    return (int) n;
  }

  private byte[] bytes(int n) {
    byte[] b = new byte[length(n)];
    in.get(b);
    return b;
  }

  /** A protocol-0 argument line (its length bounded by the pickle itself). */
  private String readLine() {
    int start = in.position();
    while (in.get() != '\n') {
      // scan to the newline; BufferUnderflowException reports truncation
    }
    int end = in.position() - 1;
    if (end > start && in.get(end - 1) == '\r') {
      end--;
    }
    return new String(in.array(), start, end - start, StandardCharsets.UTF_8);
  }

  private static String utf8(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }

  private static String latin1(byte[] b) {
    return new String(b, StandardCharsets.ISO_8859_1);
  }

  /** Little-endian two's complement, as LONG1/LONG4 store Python ints: a Long when it fits, else a BigInteger. */
  static Object integer(byte[] b) {
    if (b.length == 0) {
      return 0L;
    }
    byte[] bigEndian = new byte[b.length];
    for (int i = 0; i < b.length; i++) {
      bigEndian[i] = b[b.length - 1 - i];
    }
    return narrowed(new BigInteger(bigEndian));
  }

  /** A Python int: a Long when it fits, else a BigInteger (whose hash is computed once). */
  private static Object narrowed(BigInteger value) {
    return value.bitLength() < 64 ? (Object) value.longValue() : new PickleValues.BigInt(value);
  }

  private static Object textInt(String line) {
    if (line.equals("00")) {
      return Boolean.FALSE;
    }
    if (line.equals("01")) {
      return Boolean.TRUE;
    }
    return textLong(line);
  }

  private static Object textLong(String line) {
    String digits = line.endsWith("L") ? line.substring(0, line.length() - 1) : line;
    if (digits.length() > MAX_TEXT_INT_DIGITS) {
      throw malformed("an integer of " + digits.length() + " digits (Python's limit is " + MAX_TEXT_INT_DIGITS + ")");
    }
    try {
      return narrowed(new BigInteger(digits.trim()));
    } catch (NumberFormatException e) {
      throw malformed("INT/LONG argument '" + MessageText.abbreviate(line) + "' is not an integer");
    }
  }

  private static double textFloat(String line) {
    try {
      return Double.parseDouble(line.trim());
    } catch (NumberFormatException e) {
      throw malformed("FLOAT argument '" + MessageText.abbreviate(line) + "' is not a number");
    }
  }

  private static long textIndex(String line) {
    Object index = textLong(line);
    if (!(index instanceof Long l) || l < 0) {
      throw malformed("memo index '" + MessageText.abbreviate(line) + "'");
    }
    return l;
  }

  /** A short, non-recursive description (containers by kind and size: they may hold themselves). */
  static String describe(Object o) {
    if (o == null) {
      return "None";
    }
    if (o instanceof Global g) {
      return g.name();
    }
    if (o instanceof byte[] b) {
      return "bytes[" + b.length + "]";
    }
    if (o instanceof ByteArray b) {
      return "bytearray[" + b.bytes().length + "]";
    }
    if (o instanceof Tuple t) {
      return "a tuple of " + t.size();
    }
    if (o instanceof FrozenSet s) {
      return "a frozenset of " + s.size();
    }
    if (o instanceof List<?> l) {
      return "a list of " + l.size();
    }
    if (o instanceof Map<?, ?> m) {
      return "a dict of " + m.size();
    }
    if (o instanceof Set<?> s) {
      return "a set of " + s.size();
    }
    if (o instanceof String s) {
      return "'" + MessageText.abbreviate(s) + "'";
    }
    if (o instanceof BigInteger b) {
      return "an integer of " + b.bitLength() + " bits";
    }
    if (o instanceof Number || o instanceof Boolean) {
      return o.toString();
    }
    return MessageText.abbreviate(o.toString());
  }

  static WeightFormatException malformed(String message) {
    return new WeightFormatException("malformed pickle: " + message);
  }
}
