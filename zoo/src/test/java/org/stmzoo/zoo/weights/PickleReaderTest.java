package org.stmzoo.zoo.weights;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.stmzoo.zoo.weights.PickleValues.ByteArray;
import org.stmzoo.zoo.weights.PickleValues.FrozenSet;
import org.stmzoo.zoo.weights.PickleValues.PyObject;
import org.stmzoo.zoo.weights.PickleValues.Tuple;

/** Pickles written by Python's own pickle (scripts/make-pickle-fixtures.py) and hostile ones written here. */
class PickleReaderTest {
  private static Object load(byte[] pickle) {
    return new AllowListUnpickler(pickle, Map.of(), null).load();
  }

  private static Object load(byte[] pickle, CheckpointLimits limits) {
    return new AllowListUnpickler(pickle, Map.of(), null, limits).load();
  }

  @ParameterizedTest(name = "protocol {0}")
  @ValueSource(ints = {2, 3, 4, 5})
  void readsEveryKindOfPlainDataAsPythonWroteIt(int protocol) throws IOException {
    byte[] pickle = Files.readAllBytes(ReferenceScriptCheckpointsTest.resource("pickles/sample_p" + protocol + ".pkl"));
    String expected = Files.readString(ReferenceScriptCheckpointsTest.resource("pickles/sample.expected.txt")).strip();
    assertThat(canonical(load(pickle))).isEqualTo(expected);
  }

  /** The canonical text of make-pickle-fixtures.py's canonical(), for what this reader builds. */
  static String canonical(Object v) {
    if (v == null) {
      return "None";
    }
    if (v instanceof Boolean b) {
      return b ? "True" : "False";
    }
    if (v instanceof Long || v instanceof BigInteger) {
      return v.toString();
    }
    if (v instanceof Double d) {
      return pythonHex(d);
    }
    if (v instanceof String s) {
      return "'" + unicodeEscape(s) + "'";
    }
    if (v instanceof byte[] b) {
      return "b" + hex(b);
    }
    if (v instanceof ByteArray b) {
      return "ba" + hex(b.bytes());
    }
    if (v instanceof Tuple t) {
      return "(" + join(t) + ")";
    }
    if (v instanceof FrozenSet s) {
      return "frozenset{" + join(s) + "}";
    }
    if (v instanceof List<?> l) {
      return "[" + join(l) + "]";
    }
    if (v instanceof Set<?> s) {
      return "{" + join(s) + "}";
    }
    if (v instanceof Map<?, ?> m) {
      StringBuilder s = new StringBuilder("{");
      m.forEach((k, x) -> s.append(s.length() > 1 ? ", " : "").append(canonical(k)).append(": ").append(canonical(x)));
      return s.append('}').toString();
    }
    if (v instanceof PyObject o && o.type.equals("argparse.Namespace")) {
      return "<argparse.Namespace " + canonical(o.state) + ">";
    }
    if (v instanceof PyObject o) {
      return "<" + o.type + ">";
    }
    throw new AssertionError("unexpected value " + v.getClass());
  }

  private static String join(Iterable<?> items) {
    StringBuilder s = new StringBuilder();
    for (Object o : items) {
      s.append(s.length() > 0 ? ", " : "").append(canonical(o));
    }
    return s.toString();
  }

  private static String hex(byte[] b) {
    StringBuilder s = new StringBuilder();
    for (byte x : b) {
      s.append(String.format("%02x", x & 0xFF));
    }
    return s.toString();
  }

  /** Python's float.hex() for normal numbers and infinities. */
  private static String pythonHex(double d) {
    if (Double.isInfinite(d)) {
      return d > 0 ? "inf" : "-inf";
    }
    long bits = Double.doubleToRawLongBits(d);
    int exponent = (int) ((bits >>> 52) & 0x7FF) - 1023;
    return (d < 0 ? "-" : "") + "0x1." + String.format("%013x", bits & ((1L << 52) - 1)) + "p"
        + (exponent >= 0 ? "+" : "") + exponent;
  }

  /** Python's unicode_escape, then ' escaped. */
  private static String unicodeEscape(String s) {
    StringBuilder out = new StringBuilder();
    s.codePoints().forEach(c -> {
      if (c == '\\') {
        out.append("\\\\");
      } else if (c == '\'') {
        out.append("\\'");
      } else if (c == '\t') {
        out.append("\\t");
      } else if (c == '\n') {
        out.append("\\n");
      } else if (c == '\r') {
        out.append("\\r");
      } else if (c >= 0x20 && c < 0x7F) {
        out.append((char) c);
      } else if (c < 0x100) {
        out.append(String.format("\\x%02x", c));
      } else if (c < 0x10000) {
        out.append(String.format("\\u%04x", c));
      } else {
        out.append(String.format("\\U%08x", c));
      }
    });
    return out.toString();
  }

  // ------------------------------------------------------------------------------------------- hostile pickles

  /** Emits pickle opcodes. */
  static final class Ops {
    final ByteArrayOutputStream out = new ByteArrayOutputStream();

    Ops op(int... bytes) {
      for (int b : bytes) {
        out.write(b);
      }
      return this;
    }

    Ops raw(String s) {
      out.writeBytes(s.getBytes(StandardCharsets.UTF_8));
      return this;
    }

    /** BININT: a signed 32-bit int. */
    Ops int4(int v) {
      return op('J', v & 0xFF, (v >> 8) & 0xFF, (v >> 16) & 0xFF, v >>> 24);
    }

    /** LONG1 of 8 bytes: any long. */
    Ops long8(long v) {
      op(0x8a, 8);
      for (int i = 0; i < 8; i++) {
        op((int) (v >>> (8 * i)) & 0xFF);
      }
      return this;
    }

    Ops str(String s) {
      byte[] b = s.getBytes(StandardCharsets.UTF_8);
      op(0x8c, b.length);
      out.writeBytes(b);
      return this;
    }

    byte[] bytes() {
      return out.toByteArray();
    }
  }

  @Test
  void aListContainingItselfUsedAsADictKeyIsRefusedNotAStackOverflow() {
    // l = []; l.append(l); {l: 1}  (Python itself raises TypeError: unhashable type: 'list')
    byte[] pickle = new Ops().op(0x80, 4, ']', 0x94, 'h', 0, 'a', '}', 'h', 0, 'K', 1, 's', '.').bytes();
    assertThatThrownBy(() -> load(pickle)).isInstanceOf(WeightFormatException.class)
        .hasMessageContaining("unhashable a list of 1 used as a dict key");
  }

  @Test
  void aTupleHoldingASelfContainingListIsUnhashableToo() {
    byte[] pickle = new Ops().op(0x80, 4, ']', 0x94, 'h', 0, 'a', 0x85, 0x94, 0x8f, '(', 'h', 1, 0x90, '.').bytes();
    assertThatThrownBy(() -> load(pickle)).isInstanceOf(WeightFormatException.class)
        .hasMessageContaining("unhashable");
  }

  @Test
  void aSelfContainingListAsAValueIsFineAndDescribedWithoutRecursion() {
    byte[] pickle = new Ops().op(0x80, 4, ']', 0x94, 'h', 0, 'a', '.').bytes();
    List<?> list = (List<?>) load(pickle);
    assertThat(list.get(0)).isSameAs(list);
    assertThat(AllowListUnpickler.describe(list)).isEqualTo("a list of 1");
  }

  @Test
  void deepNestingIsBoundedBeforeTheStackIs() {
    Ops nested = new Ops().op(0x80, 4, 'N');
    for (int i = 0; i < 100_000; i++) {
      nested.op(0x85); // TUPLE1 around the previous value
    }
    assertThatThrownBy(() -> load(nested.op('.').bytes())).isInstanceOf(WeightFormatException.class)
        .hasMessageContaining("nested deeper than 200").hasMessageContaining("-Dstmzoo.limit.pickle-depth=N");
    Ops marks = new Ops().op(0x80, 4);
    for (int i = 0; i < 100_000; i++) {
      marks.op('(');
    }
    assertThatThrownBy(() -> load(marks.op('.').bytes())).isInstanceOf(WeightFormatException.class)
        .hasMessageContaining("MARKs open at once");
  }

  @Test
  void theNumberOfValuesIsBounded() {
    Ops many = new Ops().op(0x80, 4, ']');
    for (int i = 0; i < 2000; i++) {
      many.op(']', 'a');
    }
    byte[] pickle = many.op('.').bytes();
    assertThat((List<?>) load(pickle)).hasSize(2000);
    CheckpointLimits small = new CheckpointLimits(1 << 20, 10, 1 << 20, 1000, 10, 10, 10);
    assertThatThrownBy(() -> load(pickle, small)).isInstanceOf(WeightFormatException.class)
        .hasMessageContaining("more than 1000 values");
  }

  /**
   * list(L), set(L) and frozenset(L) copy L's items: a 4 KB list rebuilt 10,000 times (a review's 440 KB file
   * did it 40,000 times with 100,000 items: OutOfMemoryError, or minutes with a POP after each call) counts its
   * items every time.
   */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"list", "set", "frozenset"})
  void callsThatCopyAListCountItsItemsAsValues(String callable) {
    CheckpointLimits small = new CheckpointLimits(1 << 20, 10, 1 << 20, 100_000, 10, 10, 10);
    assertThat((java.util.Collection<?>) load(copies(callable, 2000, 1), small)).hasSize(2000);
    assertThatThrownBy(() -> load(copies(callable, 2000, 10_000), small)).isInstanceOf(WeightFormatException.class)
        .hasMessageContaining("more than 100000 values");
  }

  /** A list of {@code n} distinct ints, then {@code calls} times builtins.CALLABLE(list), each result popped. */
  private static byte[] copies(String callable, int n, int calls) {
    Ops ops = new Ops().op(0x80, 2, ']', 'q', 0, '(');
    for (int i = 0; i < n; i++) {
      ops.op('M', i & 0xFF, i >> 8); // BININT2
    }
    ops.op('e', '0').raw("c__builtin__\n" + callable + "\n").op('q', 1, '0');
    for (int i = 0; i < calls - 1; i++) {
      ops.op('h', 1, 'h', 0, 0x85, 'R', '0');
    }
    return ops.op('h', 1, 'h', 0, 0x85, 'R', '.').bytes();
  }

  /** A review's 960 KB file: 80,000 dict keys (i, 2**30 - 31 * i) shared one hash under 31 * h + item (154 s). */
  @Test
  void tuplesOfSmallIntsDoNotShareAHash() {
    Ops ops = new Ops().op(0x80, 2, '}', '(');
    for (int i = 0; i < 2000; i++) {
      ops.int4(i).int4((1 << 30) - 31 * i).op(0x86, 'N');
    }
    Map<?, ?> dict = (Map<?, ?>) load(ops.op('u', '.').bytes());
    assertThat(dict).hasSize(2000);
    assertThat(dict.keySet().stream().mapToInt(Object::hashCode).distinct().count()).isGreaterThan(1990);
  }

  /**
   * Keys that share a hash whatever the tuple hash: tuples of ints of one Long.hashCode (in a dict or a set), or
   * strings among ints (HashMap searches keys of one hash as a tree only when they are of one Comparable class).
   */
  @Test
  void keysChosenToShareAHashAreRefused() {
    int hash = "AaAaAaAaAa".hashCode(); // as every string of five "Aa" or "BB"
    Ops tuples = new Ops().op(0x80, 2, '}', '(');
    Ops set = new Ops().op(0x80, 4, 0x8f, '(');
    Ops mixed = new Ops().op(0x80, 2, '}', '(');
    for (int i = 1; i <= 40; i++) {
      long sameHash = ((long) i << 32) | ((i ^ hash) & 0xFFFFFFFFL);
      tuples.long8(sameHash).op(0x85, 'N');
      set.long8(sameHash).op(0x85);
      if (i <= 20) {
        StringBuilder string = new StringBuilder();
        for (int block = 0; block < 5; block++) {
          string.append((i >> block & 1) == 0 ? "Aa" : "BB");
        }
        mixed.long8(sameHash).op('N').str(string.toString()).op('N');
      }
    }
    for (Ops ops : List.of(tuples, set, mixed)) {
      assertThatThrownBy(() -> load(ops.op(ops == set ? 0x90 : 'u', '.').bytes()))
          .isInstanceOf(WeightFormatException.class)
          .hasMessageContaining("more than 32 keys of one dict or set share the hash of");
    }
  }

  /**
   * Equal but distinct tuples of 100 items, each with an int of one Long.hashCode: every key shares its hash with
   * the keys before it, and comparing them walks the tuples. The comparisons count as values.
   */
  @Test
  void comparingKeysOfOneHashCountsAsValues() {
    int hash = Long.hashCode(7);
    Ops ops = new Ops().op(0x80, 2, '}', '(');
    for (int i = 1; i <= 20; i++) {
      ops.op('(');
      for (int item = 0; item < 100; item++) {
        ops.op('K', 1);
      }
      ops.op('t').long8(((long) i << 32) | ((i ^ hash) & 0xFFFFFFFFL)).op(0x86, 'N');
    }
    byte[] pickle = ops.op('u', '.').bytes();
    assertThat((Map<?, ?>) load(pickle)).hasSize(20);
    CheckpointLimits small = new CheckpointLimits(1 << 20, 10, 1 << 20, 5000, 10, 10, 10);
    assertThatThrownBy(() -> load(pickle, small)).isInstanceOf(WeightFormatException.class)
        .hasMessageContaining("more than 5000 values");
  }

  /** A 400 KB int (LONG4) memoized, then 200,000 times in a tuple and as a dict key: hashed once, not each time. */
  @Test
  void aLargeIntIsHashedOnce() {
    Ops ops = new Ops().op(0x80, 2, 0x8b, 0x80, 0x1a, 0x06, 0); // LONG4 of 400,000 bytes
    ops.out.writeBytes(new byte[399_999]);
    ops.op(1, 'q', 0, '(');
    for (int i = 0; i < 200_000; i++) {
      ops.op('h', 0);
    }
    ops.op('t', '}');
    for (int i = 0; i < 200_000; i++) {
      ops.op('h', 0, 'N', 's');
    }
    byte[] pickle = ops.op(0x86, '.').bytes();
    Tuple loaded = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> (Tuple) load(pickle));
    assertThat(((Tuple) loaded.get(0)).get(199_999)).isEqualTo(BigInteger.ONE.shiftLeft(8 * 399_999));
    assertThat((Map<?, ?>) loaded.get(1)).hasSize(1);
  }

  /** Protocol 2 writes bytes as _codecs.encode(str, 'latin1'): encoding one memoized string again is free. */
  @Test
  void encodingOneStringAgainGivesTheSameBytes() {
    byte[] pickle = new Ops().op(0x80, 2).raw("c_codecs\nencode\n").op('q', 0).raw("X\u0003\u0000\u0000\u0000abc")
        .op('U', 6).raw("latin1").op(0x86, 'q', 1, 'R', 'h', 0, 'h', 1, 'R', 0x86, '.').bytes();
    Tuple twice = (Tuple) load(pickle);
    assertThat((byte[]) twice.get(0)).isEqualTo("abc".getBytes(StandardCharsets.US_ASCII));
    assertThat(twice.get(1)).isSameAs(twice.get(0));
  }

  @Test
  void lengthsPastTheEndAndTruncationAreClearErrors() {
    assertThatThrownBy(() -> load(new Ops().op(0x80, 4, 0x8e, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f)
        .bytes())).hasMessageContaining("runs past the end of the pickle");
    assertThatThrownBy(() -> load(new Ops().op(0x80, 4, 'X', 0xff, 0xff, 0xff, 0xff).bytes()))
        .hasMessageContaining("a length of -1 bytes");
    assertThatThrownBy(() -> load(new Ops().op(0x80, 4, 'J', 1).bytes())).hasMessageContaining("truncated");
    assertThatThrownBy(() -> load(new Ops().op(0x80, 4, 0xc8).bytes())).hasMessageContaining("unknown pickle opcode 0xc8");
    assertThatThrownBy(() -> load(new Ops().op(0x80, 9).bytes())).hasMessageContaining("unsupported pickle protocol 9");
  }

  @Test
  void codeRunningGlobalsAreRefusedByNameWhereverTheyAppear() {
    for (String[] global : new String[][] {{"os", "system"}, {"posix", "system"}, {"subprocess", "Popen"},
        {"builtins", "eval"}, {"builtins", "exec"}, {"builtins", "getattr"}, {"builtins", "__import__"},
        {"__builtin__", "open"}, {"importlib", "import_module"}, {"pickle", "loads"}, {"sys", "modules"},
        {"torch", "load"}, {"builtins", "object.__subclasses__"}, {"operator", "attrgetter"}}) {
      // STACK_GLOBAL inside a list inside a dict: never called, only named
      byte[] pickle = new Ops().op(0x80, 4, '}', '(').str("k").op(']').str(global[0]).str(global[1])
          .op(0x93, 'a', 'u', '.').bytes();
      String python3Module = global[0].equals("__builtin__") ? "builtins" : global[0];
      assertThatThrownBy(() -> load(pickle)).as(global[0] + "." + global[1])
          .isInstanceOf(WeightFormatException.class)
          .hasMessageContaining("refusing to unpickle global '" + python3Module + "." + global[1] + "'");
    }
    // protocol 0's GLOBAL and INST name them too
    assertThatThrownBy(() -> load(new Ops().raw("(S'ls'\nios\nsystem\n.").bytes()))
        .hasMessageContaining("'os.system'");
  }

  @Test
  void unknownHarmlessClassesAreInertObjectsWithTheirState() {
    // argparse.Namespace() with BUILD {'lr': 0.5}, as NEWOBJ writes it
    byte[] pickle = new Ops().op(0x80, 4).str("argparse").str("Namespace").op(0x93, ')', 0x81, '}').str("lr")
        .op('G', 0x3f, 0xe0, 0, 0, 0, 0, 0, 0, 's', 'b', '.').bytes();
    PyObject namespace = (PyObject) load(pickle);
    assertThat(namespace.type).isEqualTo("argparse.Namespace");
    assertThat(((Map<?, ?>) namespace.state).get("lr")).isEqualTo(0.5);
  }

  @Test
  void protocolZeroTextOpcodes() {
    // (I1\nL123456789012345678901234567890L\nF0.25\nS'a\\n\\x41'\nVsnow \u2603\np0\ng0\nl.
    byte[] pickle = new Ops().raw("(I01\nI-5\nL123456789012345678901234567890L\nF0.25\nS'a\\n\\x41'\n"
        + "Vsnow \\u2603\np0\ng0\nl.").bytes();
    assertThat(canonical(load(pickle)))
        .isEqualTo("[True, -5, 123456789012345678901234567890, 0x1.0000000000000p-2, 'a\\nA', 'snow \\u2603',"
            + " 'snow \\u2603']");
  }
}
