package org.stmzoo.zoo.weights;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A pickle reader (protocols 2 to 5, the binary opcodes) that never instantiates anything it was not told
 * about. A pickle names Python callables ({@code GLOBAL module name}) and calls them ({@code REDUCE},
 * {@code NEWOBJ}); a malicious one names {@code os.system}. Here every global must be in the allow-list the
 * caller gives, mapped to a Java function building a plain value; any other global is refused at once, with
 * an error naming it, before anything else is read. Plain data (dicts, lists, tuples, numbers, strings,
 * bytes) is built directly: dicts as {@link LinkedHashMap}, lists and tuples as {@link List}.
 */
final class AllowListUnpickler {
  /** A callable the pickle may name, and what calling it with its arguments builds. */
  @FunctionalInterface
  interface Callable {
    Object call(List<Object> args);
  }

  /** A resolved, allowed global. {@code name} is {@code module.qualname}. */
  record Global(String name, Callable callable) {}

  private static final Object MARK = new Object() {
    @Override
    public String toString() {
      return "MARK";
    }
  };

  private final ByteBuffer in;
  private final Map<String, Callable> allowed;
  private final Function<Object, Object> persistentLoad;
  private final List<Object> stack = new ArrayList<>();
  private final Map<Long, Object> memo = new HashMap<>();

  /**
   * @param allowed the allow-list: {@code "module.name"} to what calling it builds
   * @param persistentLoad resolves persistent ids (PyTorch's storages); null if the pickle may have none
   */
  AllowListUnpickler(byte[] pickle, Map<String, Callable> allowed, Function<Object, Object> persistentLoad) {
    this.in = ByteBuffer.wrap(pickle).order(ByteOrder.LITTLE_ENDIAN);
    this.allowed = allowed;
    this.persistentLoad = persistentLoad;
  }

  Object load() {
    try {
      while (true) {
        int op = in.get() & 0xFF;
        switch (op) {
          case 0x80 -> in.get(); // PROTO n
          case 0x95 -> in.getLong(); // FRAME length: framing is transparent here
          case '.' -> {
            return pop(); // STOP
          }
          case '(' -> stack.add(MARK);
          case '}' -> stack.add(new LinkedHashMap<>());
          case ']' -> stack.add(new ArrayList<>());
          case ')' -> stack.add(List.of());
          case 0x8f -> stack.add(new LinkedHashSet<>()); // EMPTY_SET
          case 't' -> stack.add(List.copyOf(popToMark())); // TUPLE
          case 0x85 -> stack.add(tuple(1));
          case 0x86 -> stack.add(tuple(2));
          case 0x87 -> stack.add(tuple(3));
          case 'l' -> stack.add(new ArrayList<>(popToMark())); // LIST
          case 'd' -> stack.add(toDict(popToMark(), new LinkedHashMap<>())); // DICT
          case 'a' -> asList(peek()).add(pop()); // APPEND
          case 'e' -> { // APPENDS
            List<Object> items = popToMark();
            asList(peek()).addAll(items);
          }
          case 's' -> { // SETITEM
            Object value = pop();
            Object key = pop();
            asDict(peek()).put(key, value);
          }
          case 'u' -> { // SETITEMS
            List<Object> items = popToMark();
            toDict(items, asDict(peek()));
          }
          case 0x90 -> { // ADDITEMS
            List<Object> items = popToMark();
            asSet(peek()).addAll(items);
          }
          case 'K' -> stack.add((long) (in.get() & 0xFF)); // BININT1
          case 'M' -> stack.add((long) (in.getShort() & 0xFFFF)); // BININT2
          case 'J' -> stack.add((long) in.getInt()); // BININT
          case 0x8a -> stack.add(longOf(bytes(in.get() & 0xFF))); // LONG1
          case 0x8b -> stack.add(longOf(bytes(length(in.getInt())))); // LONG4
          case 'G' -> stack.add(ByteBuffer.wrap(bytes(8)).getDouble()); // BINFLOAT is big-endian
          case 'N' -> stack.add(null);
          case 0x88 -> stack.add(Boolean.TRUE);
          case 0x89 -> stack.add(Boolean.FALSE);
          case 0x8c -> stack.add(utf8(bytes(in.get() & 0xFF))); // SHORT_BINUNICODE
          case 'X' -> stack.add(utf8(bytes(length(in.getInt())))); // BINUNICODE
          case 0x8d -> stack.add(utf8(bytes(length(in.getLong())))); // BINUNICODE8
          case 'U' -> stack.add(new String(bytes(in.get() & 0xFF), StandardCharsets.ISO_8859_1)); // SHORT_BINSTRING
          case 'T' -> stack.add(new String(bytes(length(in.getInt())), StandardCharsets.ISO_8859_1)); // BINSTRING
          case 'C' -> stack.add(bytes(in.get() & 0xFF)); // SHORT_BINBYTES
          case 'B' -> stack.add(bytes(length(in.getInt()))); // BINBYTES
          case 0x8e -> stack.add(bytes(length(in.getLong()))); // BINBYTES8
          case 'c' -> stack.add(global(readLine(), readLine())); // GLOBAL module\nname\n
          case 0x93 -> { // STACK_GLOBAL
            String name = asString(pop());
            stack.add(global(asString(pop()), name));
          }
          case 'R', 0x81 -> { // REDUCE callable(*args); NEWOBJ cls.__new__(cls, *args)
            List<Object> args = asList(pop());
            Object callable = pop();
            if (!(callable instanceof Global g)) {
              throw malformed("REDUCE on " + describe(callable) + ", which is not an allowed global");
            }
            stack.add(g.callable().call(args));
          }
          case 'b' -> build(pop(), peek()); // BUILD obj.__setstate__(state)
          case 'Q' -> { // BINPERSID
            Object pid = pop();
            if (persistentLoad == null) {
              throw malformed("persistent id " + describe(pid) + " in a pickle that may hold none");
            }
            stack.add(persistentLoad.apply(pid));
          }
          case 'q' -> memo.put((long) (in.get() & 0xFF), peek()); // BINPUT
          case 'r' -> memo.put((long) in.getInt() & 0xFFFFFFFFL, peek()); // LONG_BINPUT
          case 0x94 -> memo.put((long) memo.size(), peek()); // MEMOIZE
          case 'h' -> stack.add(memoGet(in.get() & 0xFF)); // BINGET
          case 'j' -> stack.add(memoGet(in.getInt() & 0xFFFFFFFFL)); // LONG_BINGET
          case '0' -> pop(); // POP
          case '1' -> popToMark(); // POP_MARK
          case '2' -> stack.add(peek()); // DUP
          default -> throw malformed(String.format("unsupported pickle opcode 0x%02x at byte %d", op,
              in.position() - 1));
        }
      }
    } catch (java.nio.BufferUnderflowException e) {
      throw malformed("the pickle ends in the middle of an instruction (truncated)");
    }
  }

  private Global global(String module, String name) {
    String qualified = module + "." + name;
    Callable callable = allowed.get(qualified);
    if (callable == null) {
      throw new WeightFormatException("refusing to unpickle global '" + qualified
          + "': it is not on the allow-list of tensor checkpoints (only containers, numbers, strings and "
          + "PyTorch tensor/storage rebuilds are accepted; a checkpoint naming other globals may run code)");
    }
    return new Global(qualified, callable);
  }

  /** BUILD: only the state of an allowed container (e.g. a state_dict's {@code _metadata}) may be set; it is dropped. */
  private void build(Object state, Object target) {
    if (!(target instanceof Map) || !(state == null || state instanceof Map || state instanceof List)) {
      throw malformed("BUILD of " + describe(target) + " with " + describe(state));
    }
  }

  private List<Object> tuple(int n) {
    if (stack.size() < n) {
      throw malformed("stack underflow");
    }
    List<Object> top = new ArrayList<>(stack.subList(stack.size() - n, stack.size()));
    stack.subList(stack.size() - n, stack.size()).clear();
    if (top.contains(MARK)) {
      throw malformed("MARK inside a tuple");
    }
    return java.util.Collections.unmodifiableList(top);
  }

  private List<Object> popToMark() {
    for (int i = stack.size() - 1; i >= 0; i--) {
      if (stack.get(i) == MARK) {
        List<Object> items = new ArrayList<>(stack.subList(i + 1, stack.size()));
        stack.subList(i, stack.size()).clear();
        return items;
      }
    }
    throw malformed("no MARK on the stack");
  }

  private Object pop() {
    if (stack.isEmpty() || stack.get(stack.size() - 1) == MARK) {
      throw malformed("stack underflow");
    }
    return stack.remove(stack.size() - 1);
  }

  private Object peek() {
    if (stack.isEmpty() || stack.get(stack.size() - 1) == MARK) {
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

  private static Map<Object, Object> toDict(List<Object> items, Map<Object, Object> into) {
    if (items.size() % 2 != 0) {
      throw malformed("odd number of items for a dict");
    }
    for (int i = 0; i < items.size(); i += 2) {
      into.put(items.get(i), items.get(i + 1));
    }
    return into;
  }

  @SuppressWarnings("unchecked")
  private static List<Object> asList(Object o) {
    if (o instanceof List<?> l) {
      return (List<Object>) l;
    }
    throw malformed("expected a list or tuple, found " + describe(o));
  }

  @SuppressWarnings("unchecked")
  private static Map<Object, Object> asDict(Object o) {
    if (o instanceof Map<?, ?> m) {
      return (Map<Object, Object>) m;
    }
    throw malformed("expected a dict, found " + describe(o));
  }

  @SuppressWarnings("unchecked")
  private static java.util.Set<Object> asSet(Object o) {
    if (o instanceof java.util.Set<?> s) {
      return (java.util.Set<Object>) s;
    }
    throw malformed("expected a set, found " + describe(o));
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

  private String readLine() {
    int start = in.position();
    while (in.get() != '\n') {
      // scan to the newline; BufferUnderflowException reports truncation
    }
    return new String(in.array(), start, in.position() - start - 1, StandardCharsets.UTF_8);
  }

  private static String utf8(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }

  /** Little-endian two's complement, as LONG1/LONG4 store Python ints. */
  private static long longOf(byte[] b) {
    if (b.length > 8) {
      throw malformed("integer of " + b.length + " bytes does not fit 64 bits");
    }
    long v = 0;
    for (int i = b.length - 1; i >= 0; i--) {
      v = (v << 8) | (b[i] & 0xFF);
    }
    if (b.length > 0 && b.length < 8 && b[b.length - 1] < 0) {
      v -= 1L << (8 * b.length);
    }
    return v;
  }

  private static String describe(Object o) {
    if (o instanceof Global g) {
      return g.name();
    }
    if (o instanceof byte[] b) {
      return "bytes[" + b.length + "]";
    }
    return o == null ? "None" : o.getClass().getSimpleName() + " " + abbreviate(String.valueOf(o));
  }

  private static String abbreviate(String s) {
    return s.length() > 60 ? s.substring(0, 60) + "..." : s;
  }

  static WeightFormatException malformed(String message) {
    return new WeightFormatException("malformed pickle: " + message);
  }
}
