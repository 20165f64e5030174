package org.stmzoo.zoo.weights;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** PyTorch zip checkpoints written byte by byte here, as torch.save lays them out (protocol 2 pickle). */
class TorchCheckpointReaderTest {
  @TempDir Path dir;

  /** Emits pickle opcodes. */
  private static final class Pickle {
    final ByteArrayOutputStream out = new ByteArrayOutputStream();

    Pickle op(int... bytes) {
      for (int b : bytes) {
        out.write(b);
      }
      return this;
    }

    Pickle global(String module, String name) {
      op('c');
      out.writeBytes((module + "\n" + name + "\n").getBytes(StandardCharsets.UTF_8));
      return this;
    }

    Pickle str(String s) {
      byte[] b = s.getBytes(StandardCharsets.UTF_8);
      return op(0x8c, b.length).raw(b); // SHORT_BINUNICODE
    }

    Pickle raw(byte[] b) {
      out.writeBytes(b);
      return this;
    }

    Pickle integer(int v) {
      return op('K', v); // BININT1
    }

    Pickle emptyOrderedDict() {
      return global("collections", "OrderedDict").op(')', 'R');
    }

    /** _rebuild_tensor_v2(persistent storage, offset, size, stride, False, OrderedDict()). */
    Pickle tensor(String key, int numel, int offset, int[] size, int[] stride) {
      global("torch._utils", "_rebuild_tensor_v2").op('(');
      op('(').str("storage").global("torch", "FloatStorage").str(key).str("cpu").integer(numel).op('t', 'Q');
      integer(offset);
      tuple(size);
      tuple(stride);
      op(0x89); // False
      emptyOrderedDict();
      return op('t', 'R');
    }

    Pickle tuple(int[] values) {
      op('(');
      for (int v : values) {
        integer(v);
      }
      return op('t');
    }

    byte[] bytes() {
      return out.toByteArray();
    }
  }

  private static byte[] floats(float... values) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : values) {
      b.putFloat(v);
    }
    return b.array();
  }

  private Path zip(String name, byte[] pickle, Map<String, byte[]> storages) throws IOException {
    Path file = dir.resolve(name + ".pth");
    try (OutputStream os = Files.newOutputStream(file); ZipOutputStream zip = new ZipOutputStream(os)) {
      put(zip, name + "/data.pkl", pickle);
      put(zip, name + "/byteorder", "little".getBytes(StandardCharsets.US_ASCII));
      for (Map.Entry<String, byte[]> e : storages.entrySet()) {
        put(zip, name + "/data/" + e.getKey(), e.getValue());
      }
      put(zip, name + "/version", "3\n".getBytes(StandardCharsets.US_ASCII));
    }
    return file;
  }

  private static void put(ZipOutputStream zip, String name, byte[] data) throws IOException {
    zip.putNextEntry(new ZipEntry(name));
    zip.write(data);
    zip.closeEntry();
  }

  /** {'epoch': 3, 'model': OrderedDict(fc.weight: strided [2, 3] view, fc.bias: [2] at offset 1)}. */
  private static byte[] trainingCheckpoint() {
    Pickle p = new Pickle().op(0x80, 2);
    p.op('}', 'q', 0, '(').str("epoch").integer(3).str("model");
    p.emptyOrderedDict().op('q', 1, '(');
    // storage 0 holds 0..5; the weight reads it transposed: element (i, j) = storage[i + 2j]
    p.str("fc.weight").tensor("0", 6, 0, new int[] {2, 3}, new int[] {1, 2});
    p.str("fc.bias").tensor("1", 3, 1, new int[] {2}, new int[] {1});
    p.str("bn.num_batches_tracked").tensor("0", 6, 5, new int[] {}, new int[] {});
    p.op('u'); // SETITEMS of the state dict
    p.op('u', '.'); // SETITEMS of the outer dict, STOP
    return p.bytes();
  }

  @Test
  void readsAStateDictNestedUnderModel() throws IOException {
    Path file = zip("archive", trainingCheckpoint(),
        Map.of("0", floats(0, 1, 2, 3, 4, 5), "1", floats(10, 11, 12)));
    StateDict sd = ReferenceCheckpoints.read(file);
    assertThat(sd.keys()).containsExactly("fc.weight", "fc.bias", "bn.num_batches_tracked");
    assertThat(sd.get("fc.weight").shape()).containsExactly(2, 3);
    assertThat(sd.get("fc.weight").values()).containsExactly(0, 2, 4, 1, 3, 5);
    assertThat(sd.get("fc.bias").values()).containsExactly(11, 12);
    assertThat(sd.get("bn.num_batches_tracked").shape()).isEmpty();
    assertThat(sd.get("bn.num_batches_tracked").values()).containsExactly(5);
  }

  @Test
  void refusesOsSystem() {
    // the classic payload: os.system("echo pwned")
    byte[] evil = new Pickle().op(0x80, 2).global("os", "system").str("echo pwned").op(0x85, 'R', '.').bytes();
    assertThatThrownBy(() -> new AllowListUnpickler(evil, Map.of(), null).load())
        .isInstanceOf(WeightFormatException.class)
        .hasMessageContaining("refusing to unpickle global 'os.system'");
  }

  /** GLOBAL splits module and name where the file likes: torch.hub.load may come as ("torch", "hub.load"). */
  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.CsvSource({"torch, hub.load", "torch, jit.load", "numpy, ctypeslib.load_library",
      "pydoc, pipepager", "codecs, open", "torch.hub, load", "os, system"})
  void refusesCodeRunningGlobalsHoweverTheNameIsSplit(String module, String name) {
    byte[] evil = new Pickle().op(0x80, 2).global(module, name).str("x").op(0x85, 'R', '.').bytes();
    assertThatThrownBy(() -> new AllowListUnpickler(evil, Map.of(), null).load())
        .isInstanceOf(WeightFormatException.class)
        .hasMessageContaining("refusing to unpickle global '" + module + "." + name + "'");
  }

  @Test
  void refusesAGlobalOutsideTheAllowListInsideACheckpoint() throws IOException {
    // STACK_GLOBAL builtins.eval hidden as a state dict value
    Pickle p = new Pickle().op(0x80, 4).emptyOrderedDict().op('(').str("w");
    p.str("builtins").str("eval").op(0x93).str("__import__('os')").op(0x85, 'R', 'u', '.');
    Path file = zip("archive", p.bytes(), Map.of());
    assertThatThrownBy(() -> ReferenceCheckpoints.read(file))
        .isInstanceOf(WeightFormatException.class)
        .hasMessageContaining("'builtins.eval'");
  }

  @Test
  void truncatedPickleAndShortStorageAreClearErrors() throws IOException {
    byte[] full = trainingCheckpoint();
    byte[] cut = java.util.Arrays.copyOf(full, full.length / 2);
    assertThatThrownBy(() -> ReferenceCheckpoints.read(
        zip("cut", cut, Map.of("0", floats(0, 1, 2, 3, 4, 5), "1", floats(1, 2, 3)))))
        .isInstanceOf(WeightFormatException.class).hasMessageContaining("truncated");
    assertThatThrownBy(() -> ReferenceCheckpoints.read(
        zip("short", full, Map.of("0", floats(0, 1), "1", floats(1, 2, 3)))))
        .isInstanceOf(WeightFormatException.class).hasMessageContaining("storage 0 should hold 6 elements");
  }

  // ------------------------------------------------------------------------ files as training scripts write them

  private static void assertTinyStateDict(StateDict sd, float base) {
    assertThat(sd.keys()).containsExactly("conv.weight", "fc.weight", "fc.bias", "bn.running_var",
        "bn.num_batches_tracked");
    assertThat(sd.get("conv.weight").shape()).containsExactly(2, 1, 1, 1);
    assertThat(sd.get("conv.weight").values()).containsExactly(base, base + 1);
    // a transposed view of a [2, 3] storage and a slice at offset 4 of the same storage
    assertThat(sd.get("fc.weight").shape()).containsExactly(3, 2);
    assertThat(sd.get("fc.weight").values()).containsExactly(base, base + 3, base + 1, base + 4, base + 2, base + 5);
    assertThat(sd.get("fc.bias").values()).containsExactly(base + 4, base + 5);
    assertThat(sd.get("bn.running_var").values()).containsExactly(base + 1, base + 1);
    assertThat(sd.get("bn.num_batches_tracked").values()).containsExactly(base + 7);
  }

  @org.junit.jupiter.params.ParameterizedTest(name = "{0}")
  @org.junit.jupiter.params.provider.ValueSource(strings = {"stm_save_model.pth", "stm_save_model_p4.pth",
      "timm_checkpoint.pth", "deit_checkpoint.pth"})
  void trainingCheckpointsGiveTheModelByDefaultAndTheEmaOnRequest(String name) throws IOException {
    Path file = ReferenceScriptCheckpointsTest.resource("structure/" + name);
    assertTinyStateDict(ReferenceCheckpoints.read(file), 0);
    assertTinyStateDict(ReferenceCheckpoints.read(file, StateDictChoice.EMA), 100);
  }

  @Test
  void releaseFilesAreTheBareStateDictOrUnderModel() throws IOException {
    assertTinyStateDict(ReferenceCheckpoints.read(ReferenceScriptCheckpointsTest.resource("structure/bare_state_dict.pth")), 0);
    assertTinyStateDict(ReferenceCheckpoints.read(ReferenceScriptCheckpointsTest.resource("structure/deit_release.pth")), 0);
    assertThatThrownBy(() -> ReferenceCheckpoints.read(
        ReferenceScriptCheckpointsTest.resource("structure/bare_state_dict.pth"), StateDictChoice.EMA))
        .isInstanceOf(WeightFormatException.class).hasMessageContaining("bare state dict");
    assertThatThrownBy(() -> ReferenceCheckpoints.read(
        ReferenceScriptCheckpointsTest.resource("structure/deit_release.pth"), StateDictChoice.EMA))
        .isInstanceOf(WeightFormatException.class)
        .hasMessageContaining("no state dict under model_ema or state_dict_ema")
        .hasMessageContaining("state dicts under [model]");
  }

  // ----------------------------------------------------------------------------------------- hostile files

  /** A state dict with one tensor whose rebuild arguments are given raw: (storage, offset, size, stride). */
  private Path oneTensor(String name, java.util.function.Consumer<Pickle> arguments) throws IOException {
    Pickle p = new Pickle().op(0x80, 2).emptyOrderedDict().op('(').str("w");
    p.global("torch._utils", "_rebuild_tensor_v2").op('(');
    arguments.accept(p);
    p.op(0x89).emptyOrderedDict().op('t', 'R', 'u', '.');
    return zip(name, p.bytes(), Map.of("0", floats(0, 1, 2, 3, 4, 5)));
  }

  @Test
  void tensorsReadingOneStorageAsTwoAreRefusedNamingThemAbbreviated() throws IOException {
    // names as long as SHORT_BINUNICODE takes, longer than a message shows
    String name = "w".repeat(250);
    String key = "k".repeat(250);
    Pickle p = new Pickle().op(0x80, 2);
    p.emptyOrderedDict().op('(');
    p.str("a").tensor(key, 6, 0, new int[] {6}, new int[] {1});
    p.str(name).tensor(key, 3, 0, new int[] {3}, new int[] {1});
    p.op('u', '.');
    Path file = zip("shared", p.bytes(), Map.of(key, floats(0, 1, 2, 3, 4, 5)));
    assertThatThrownBy(() -> ReferenceCheckpoints.read(file)).isInstanceOf(WeightFormatException.class)
        .hasMessageContaining("tensor '" + "w".repeat(200) + "... (250 characters)' reads storage " + "k".repeat(200)
            + "... (250 characters) as 3 F32 elements, another tensor as 6 F32 elements")
        .message().doesNotContain("w".repeat(201)).doesNotContain("k".repeat(201));
  }

  private static void storage(Pickle p) {
    p.op('(').str("storage").global("torch", "FloatStorage").str("0").str("cpu").integer(6).op('t', 'Q');
  }

  @Test
  void malformedTensorsAreErrorsNamingTheTensorAndField() throws IOException {
    Path none = oneTensor("none", p -> {
      storage(p);
      p.integer(0).op('(', 'N', 't').tuple(new int[] {1});
    });
    assertThatThrownBy(() -> ReferenceCheckpoints.read(none)).isInstanceOf(WeightFormatException.class)
        .hasMessageContaining("tensor 'w': its size[0] is None, not an integer");
    Path noStorage = oneTensor("nostorage", p -> p.op('N').integer(0).tuple(new int[] {1}).tuple(new int[] {1}));
    assertThatThrownBy(() -> ReferenceCheckpoints.read(noStorage))
        .hasMessageContaining("tensor 'w': its storage is None");
    Path negative = oneTensor("negative", p -> {
      storage(p);
      p.integer(5).tuple(new int[] {2}).op('(', 'J', 0xff, 0xff, 0xff, 0xff, 't');
    });
    assertThatThrownBy(() -> ReferenceCheckpoints.read(negative))
        .hasMessageContaining("tensor 'w': its stride[0] -1 is negative");
    Path mismatched = oneTensor("mismatched", p -> {
      storage(p);
      p.integer(0).tuple(new int[] {2, 3}).tuple(new int[] {3});
    });
    assertThatThrownBy(() -> ReferenceCheckpoints.read(mismatched))
        .hasMessageContaining("stride [3] has 1 entries for the 2 dimensions");
    Path overflow = oneTensor("overflow", p -> {
      storage(p);
      // size (2^62, 4): 2^64 elements
      p.integer(0).op('(', 0x8a, 8, 0, 0, 0, 0, 0, 0, 0, 0x40).integer(4).op('t').tuple(new int[] {1, 1});
    });
    assertThatThrownBy(() -> ReferenceCheckpoints.read(overflow)).hasMessageContaining("overflows 64 bits");
    Path manyDimensions = oneTensor("many", p -> {
      storage(p);
      p.integer(0).tuple(new int[33]).tuple(new int[33]);
    });
    assertThatThrownBy(() -> ReferenceCheckpoints.read(manyDimensions)).isInstanceOf(WeightFormatException.class)
        .hasMessageEndingWith(": tensor 'w': its size has 33 dimensions, more than 32");
    Path outside = oneTensor("outside", p -> {
      storage(p);
      p.integer(3).tuple(new int[] {2, 2}).tuple(new int[] {2, 1});
    });
    assertThatThrownBy(() -> ReferenceCheckpoints.read(outside))
        .hasMessageContaining("reach element 6 of storage 0, which has 6");
  }

  @Test
  void aSmallEntryInflatingToAHugePickleIsRefusedBeforeInflating() throws IOException {
    Path file = dir.resolve("bomb.pth");
    try (OutputStream os = Files.newOutputStream(file); ZipOutputStream zip = new ZipOutputStream(os)) {
      zip.putNextEntry(new ZipEntry("bomb/data.pkl")); // deflated: 64 MB of zeros in about 64 KB
      byte[] zeros = new byte[1 << 20];
      for (int i = 0; i < 64; i++) {
        zip.write(zeros);
      }
      zip.closeEntry();
    }
    assertThatThrownBy(() -> ReferenceCheckpoints.read(file)).isInstanceOf(WeightFormatException.class)
        .hasMessageContaining("bomb/data.pkl inflates").hasMessageContaining("-Dstmzoo.limit.zip-ratio=N");
    CheckpointLimits smallPickles = new CheckpointLimits(1L << 30, 1000, 1 << 20, 1000, 10, 10, 100_000);
    assertThatThrownBy(() -> ReferenceCheckpoints.read(file, StateDictChoice.MODEL, smallPickles))
        .hasMessageContaining("declares 67108864 bytes, more than the limit of 1048576");
  }

  /**
   * Central-directory records added for {@code aliases}, each a copy of {@code entry}'s record under another name:
   * the aliases point at {@code entry}'s bytes, as a forged zip's overlapping entries do.
   */
  static byte[] withAliases(byte[] zip, String entry, java.util.List<String> aliases) {
    ByteBuffer b = ByteBuffer.wrap(zip).order(ByteOrder.LITTLE_ENDIAN);
    int eocd = zip.length - 22; // no archive comment
    int records = b.getShort(eocd + 10) & 0xFFFF;
    int cdSize = b.getInt(eocd + 12);
    int cdStart = b.getInt(eocd + 16);
    int at = centralRecord(zip, entry);
    byte[] source = java.util.Arrays.copyOfRange(zip, at, at + 46); // without its name, extra field and comment
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(zip, 0, cdStart + cdSize);
    int added = 0;
    for (String alias : aliases) {
      byte[] name = alias.getBytes(StandardCharsets.UTF_8);
      ByteBuffer record = ByteBuffer.allocate(46).order(ByteOrder.LITTLE_ENDIAN).put(source);
      record.putShort(28, (short) name.length).putShort(30, (short) 0).putShort(32, (short) 0);
      out.writeBytes(record.array());
      out.writeBytes(name);
      added += 46 + name.length;
    }
    ByteBuffer end = ByteBuffer.wrap(java.util.Arrays.copyOfRange(zip, eocd, zip.length))
        .order(ByteOrder.LITTLE_ENDIAN);
    end.putShort(8, (short) (records + aliases.size())).putShort(10, (short) (records + aliases.size()))
        .putInt(12, cdSize + added);
    out.writeBytes(end.array());
    return out.toByteArray();
  }

  /** Where {@code entry}'s central-directory record starts in {@code zip} (which has no archive comment). */
  static int centralRecord(byte[] zip, String entry) {
    ByteBuffer b = ByteBuffer.wrap(zip).order(ByteOrder.LITTLE_ENDIAN);
    int cdStart = b.getInt(zip.length - 22 + 16);
    for (int at = cdStart; at < zip.length - 22; ) {
      int nameLength = b.getShort(at + 28) & 0xFFFF;
      if (new String(zip, at + 46, nameLength, StandardCharsets.UTF_8).equals(entry)) {
        return at;
      }
      at += 46 + nameLength + (b.getShort(at + 30) & 0xFFFF) + (b.getShort(at + 32) & 0xFFFF);
    }
    throw new IllegalArgumentException("no entry " + entry);
  }

  @Test
  void entriesWhoseBytesDoNotMatchTheirCrcAreCorrupt() throws IOException {
    // stored, as torch.save writes storages: java.util.zip read a flipped bit as a weight of 1.5 for 1.0
    Pickle p = new Pickle().op(0x80, 2).emptyOrderedDict().op('(').str("w");
    p.tensor("0", 4, 0, new int[] {4}, new int[] {1}).op('u', '.');
    byte[] data = floats(1, 2, 3, 4);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(out)) {
      put(zip, "archive/data.pkl", p.bytes());
      ZipEntry stored = new ZipEntry("archive/data/0");
      java.util.zip.CRC32 crc = new java.util.zip.CRC32();
      crc.update(data);
      stored.setMethod(ZipEntry.STORED);
      stored.setSize(data.length);
      stored.setCrc(crc.getValue());
      zip.putNextEntry(stored);
      zip.write(data);
      zip.closeEntry();
    }
    Path good = dir.resolve("good.pth");
    Files.write(good, out.toByteArray());
    assertThat(ReferenceCheckpoints.read(good).get("w").values()).containsExactly(1, 2, 3, 4);
    byte[] flipped = out.toByteArray();
    flipped[indexOf(flipped, data) + 2] ^= 0x40;
    Path corrupt = dir.resolve("corrupt.pth");
    Files.write(corrupt, flipped);
    assertThatThrownBy(() -> ReferenceCheckpoints.read(corrupt)).isInstanceOf(WeightFormatException.class)
        .hasMessageMatching(".*corrupt.pth: archive/data/0 fails its CRC-32 check \\(its bytes give \\p{XDigit}+, the"
            + " archive records \\p{XDigit}+\\): the file is corrupt");
    // deflated, as the pickle is here: a wrong CRC recorded for it
    byte[] wrongCrc = out.toByteArray();
    wrongCrc[centralRecord(wrongCrc, "archive/data.pkl") + 16] ^= 1;
    Files.write(corrupt, wrongCrc);
    assertThatThrownBy(() -> ReferenceCheckpoints.read(corrupt)).isInstanceOf(WeightFormatException.class)
        .hasMessageContaining("archive/data.pkl fails its CRC-32 check");
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      if (java.util.Arrays.equals(haystack, i, i + needle.length, needle, 0, needle.length)) {
        return i;
      }
    }
    throw new IllegalArgumentException("not found");
  }

  @Test
  void entriesSharingTheirBytesAreRefusedBeforeAnyStorageIsRead() throws IOException {
    // eight storages of 1024 floats, each a central-directory record pointing at storage 0's 4 KB
    Pickle p = new Pickle().op(0x80, 2).emptyOrderedDict().op('(');
    java.util.List<String> aliases = new java.util.ArrayList<>();
    for (int i = 0; i < 8; i++) {
      p.str("t" + i);
      p.global("torch._utils", "_rebuild_tensor_v2").op('(');
      p.op('(').str("storage").global("torch", "FloatStorage").str(String.valueOf(i)).str("cpu").op('M', 0, 4)
          .op('t', 'Q');
      p.integer(0).op('(', 'M', 0, 4, 't').tuple(new int[] {1}).op(0x89).emptyOrderedDict().op('t', 'R');
      if (i > 0) {
        aliases.add("archive/data/" + i);
      }
    }
    p.op('u', '.');
    float[] values = new float[1024];
    for (int i = 0; i < values.length; i++) {
      values[i] = SyntheticCheckpoint.value("overlap", i); // incompressible: about 4 KB deflated
    }
    Path honest = zip("archive", p.bytes(), Map.of("0", floats(values)));
    assertThatThrownBy(() -> ReferenceCheckpoints.read(honest)).hasMessageContaining("storage 1 is missing");
    Path overlapping = dir.resolve("overlapping.pth");
    Files.write(overlapping, withAliases(Files.readAllBytes(honest), "archive/data/0", aliases));
    assertThat(Files.size(overlapping)).isLessThan(6000);
    assertThatThrownBy(() -> ReferenceCheckpoints.read(overlapping)).isInstanceOf(WeightFormatException.class)
        .hasMessageContaining("archive/data/1 brings the entries read to ")
        .hasMessageContaining("compressed bytes, more than the " + Files.size(overlapping) + " bytes of the whole"
            + " file: entries that share their bytes");
  }

  @Test
  void onlyRegularFilesAreRead() throws Exception {
    assertThatThrownBy(() -> ReferenceCheckpoints.read(dir)).isInstanceOf(WeightFormatException.class)
        .hasMessageContaining("not a regular file");
    Path fifo = dir.resolve("fifo.pth");
    Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).start();
    if (mkfifo.waitFor() == 0) {
      // would block forever if opened
      assertThatThrownBy(() -> ReferenceCheckpoints.read(fifo)).hasMessageContaining("not a regular file");
      assertThatThrownBy(() -> SafetensorsReader.read(fifo)).hasMessageContaining("not a regular file");
    }
    assertThatThrownBy(() -> ReferenceCheckpoints.read(dir.resolve("missing.pth"))).hasMessageContaining("no such file");
  }
}
