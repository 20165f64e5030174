package org.stmzoo.zoo.weights;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.CheckedInputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.stmzoo.layers.io.InputFiles;

/**
 * Reads PyTorch's zip checkpoints ({@code torch.save} since 1.6): {@code NAME/data.pkl} is a pickle of the
 * saved object whose tensors refer, by persistent id {@code ('storage', torch.FloatStorage, key, device,
 * numel)}, to raw little-endian storages {@code NAME/data/KEY}. The pickle is read with
 * {@link AllowListUnpickler}, which builds ordered dicts and tensor views and reads everything else a training
 * script saves (optimizer and AMP state, {@code argparse.Namespace}, numpy scalars) as inert values. Which state
 * dict is imported is a {@link StateDictChoice}; only its tensors' storages are read.
 */
public final class TorchCheckpointReader {
  /** torch.*Storage type names (the globals persistent ids name) and their element types. */
  private static final Map<String, ElementDecoder> STORAGE_TYPES = Map.of("FloatStorage", ElementDecoder.F32,
      "HalfStorage", ElementDecoder.F16, "BFloat16Storage", ElementDecoder.BF16, "DoubleStorage", ElementDecoder.F64,
      "LongStorage", ElementDecoder.I64, "IntStorage", ElementDecoder.I32, "ShortStorage", ElementDecoder.I16,
      "CharStorage", ElementDecoder.I8, "ByteStorage", ElementDecoder.U8, "BoolStorage", ElementDecoder.U8);

  /** A storage reference: element type, zip key and element count. */
  private record Storage(ElementDecoder dtype, String key, long numel) {}

  /**
   * What {@code _rebuild_tensor_v2(storage, offset, size, stride, ...)} returns, its arguments kept as the pickle
   * gave them: they are validated, with the tensor's name, only if the tensor is imported. Equality is identity
   * and the description constant (its arguments may be containers that hold themselves, or hold one string a
   * hundred thousand times); it is never a dict key.
   */
  private static final class TensorView implements PickleValues.Unhashable {
    private final Object storage;
    private final Object offset;
    private final Object size;
    private final Object stride;

    TensorView(Object storage, Object offset, Object size, Object stride) {
      this.storage = storage;
      this.offset = offset;
      this.size = size;
      this.stride = stride;
    }

    Object storage() {
      return storage;
    }

    Object offset() {
      return offset;
    }

    Object size() {
      return size;
    }

    Object stride() {
      return stride;
    }

    @Override
    public String toString() {
      return "a tensor";
    }
  }

  /**
   * Tensors may read each storage more than once (tied weights are two names for one storage), but all of them
   * together at most this many times the elements of the storages they read: with each storage bounded by the
   * file, a small file cannot make the reader materialise gigabytes.
   */
  static final int MAX_READS_PER_STORAGE_ELEMENT = 16;

  /** A validated view. */
  private record Layout(Storage storage, long offset, long[] shape, long[] stride, long count) {}

  private final ZipFile zip;
  private final String prefix;
  private final CheckpointLimits limits;
  private final long fileSize;
  private final Map<String, ZipEntry> storageEntries = new HashMap<>();
  private final Map<String, float[]> storages = new HashMap<>();
  /** Compressed bytes of the entries read or about to be read (see {@link #claim}). */
  private long claimedBytes;

  private TorchCheckpointReader(ZipFile zip, String prefix, CheckpointLimits limits, long fileSize) {
    this.zip = zip;
    this.prefix = prefix;
    this.limits = limits;
    this.fileSize = fileSize;
  }

  public static StateDict read(Path file) throws IOException {
    return read(file, StateDictChoice.MODEL, CheckpointLimits.defaults());
  }

  public static StateDict read(Path file, StateDictChoice choice, CheckpointLimits limits) throws IOException {
    requireRegularFile(file);
    long fileSize = Files.size(file);
    try (ZipFile zip = new ZipFile(file.toFile())) {
      if (zip.size() > limits.maxZipEntries()) {
        throw new WeightFormatException("the zip has " + zip.size() + " entries, more than the limit of "
            + limits.maxZipEntries() + " (" + CheckpointLimits.knob("zip-entries") + ")");
      }
      ZipEntry pickle = findPickle(zip);
      String prefix = pickle.getName().substring(0, pickle.getName().length() - "data.pkl".length());
      TorchCheckpointReader reader = new TorchCheckpointReader(zip, prefix, limits, fileSize);
      ZipEntry byteorder = entry(zip, prefix + "byteorder");
      if (byteorder != null && !new String(reader.readEntry(byteorder, 16)).trim().equals("little")) {
        throw new WeightFormatException("big-endian checkpoints are not supported");
      }
      Object saved = new AllowListUnpickler(reader.readEntry(pickle, limits.maxPickleBytes()), allowList(),
          reader::persistentLoad, limits).load();
      return reader.stateDict(select(saved, choice));
    } catch (java.util.zip.ZipException | java.io.EOFException e) {
      // a corrupt container: java.util.zip reports it as an IOException, but it is the file's fault
      throw new WeightFormatException(file + ": not a readable zip archive: " + e.getMessage(), e);
    } catch (WeightFormatException e) {
      throw e.getMessage().startsWith(file.toString()) ? e : new WeightFormatException(file + ": " + e.getMessage(), e);
    }
  }

  /** A FIFO would block, a device never end, a directory fail obscurely: only regular files are read. */
  static void requireRegularFile(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new WeightFormatException(file + ": " + (Files.exists(file) ? "not a regular file" : "no such file"));
    }
  }

  private static ZipEntry findPickle(ZipFile zip) {
    Enumeration<? extends ZipEntry> entries = zip.entries();
    while (entries.hasMoreElements()) {
      ZipEntry e = nextEntry(entries);
      String name = e.getName();
      if (name.endsWith("/data.pkl") && name.indexOf('/') == name.length() - "/data.pkl".length()) {
        return e;
      }
    }
    throw new WeightFormatException("a zip without NAME/data.pkl is not a PyTorch checkpoint");
  }

  /**
   * The next entry; java.util.zip decodes each name as it is listed and reports a name that is not UTF-8 (PyTorch
   * writes UTF-8 names) with an unchecked {@code IllegalArgumentException}, which is the file's fault.
   */
  private static ZipEntry nextEntry(Enumeration<? extends ZipEntry> entries) {
    try {
      return entries.nextElement();
    } catch (IllegalArgumentException e) {
      throw notUtf8(e);
    }
  }

  /**
   * {@code zip}'s entry {@code name}, or null; a lookup decodes the names it compares as the listing does, so a name
   * that is not UTF-8 fails it the same way (found by fuzzing: a data.pkl listed before the bad name, a storage
   * looked up after it).
   */
  private static ZipEntry entry(ZipFile zip, String name) {
    try {
      return zip.getEntry(name);
    } catch (IllegalArgumentException e) {
      throw notUtf8(e);
    }
  }

  private static WeightFormatException notUtf8(IllegalArgumentException e) {
    return new WeightFormatException("a zip entry's name is not valid UTF-8: " + e.getMessage(), e);
  }

  /** The globals whose calls build values the reader uses: ordered dicts and tensors. */
  private static Map<String, AllowListUnpickler.Callable> allowList() {
    Map<String, AllowListUnpickler.Callable> allowed = new HashMap<>();
    allowed.put("torch._utils._rebuild_tensor_v2", args -> {
      if (args.size() < 4) {
        throw AllowListUnpickler.malformed("_rebuild_tensor_v2 with " + args.size() + " arguments");
      }
      return new TensorView(args.get(0), args.get(1), args.get(2), args.get(3));
    });
    // a Parameter saved with keep_vars: (data, requires_grad, backward_hooks[, state])
    AllowListUnpickler.Callable parameter = args -> {
      if (args.isEmpty()) {
        throw AllowListUnpickler.malformed("_rebuild_parameter without arguments");
      }
      return args.get(0);
    };
    allowed.put("torch._utils._rebuild_parameter", parameter);
    allowed.put("torch._utils._rebuild_parameter_with_state", parameter);
    return allowed;
  }

  /** A storage in a message, without its key (which the message names once, abbreviated). */
  private static String describe(Storage storage) {
    return storage.numel() + " " + storage.dtype() + " elements";
  }

  /** Persistent id {@code ('storage', storage_type, key, location, numel)}. */
  private Object persistentLoad(Object pid) {
    if (!(pid instanceof List<?> t) || t.size() != 5 || !"storage".equals(t.get(0))) {
      throw AllowListUnpickler.malformed("persistent id " + AllowListUnpickler.describe(pid)
          + " is not ('storage', type, key, location, numel)");
    }
    if (!(t.get(1) instanceof AllowListUnpickler.Global type) || !type.name().startsWith("torch.")
        || !STORAGE_TYPES.containsKey(type.name().substring("torch.".length()))) {
      throw AllowListUnpickler.malformed("persistent id with storage type " + AllowListUnpickler.describe(t.get(1))
          + ", which is not one of torch." + STORAGE_TYPES.keySet());
    }
    if (!(t.get(2) instanceof String key) || key.isEmpty() || key.contains("/") || key.contains("\\")) {
      throw AllowListUnpickler.malformed("persistent id with storage key " + AllowListUnpickler.describe(t.get(2)));
    }
    if (!(t.get(4) instanceof Long numel) || numel < 0) {
      throw AllowListUnpickler.malformed("persistent id with element count " + AllowListUnpickler.describe(t.get(4)));
    }
    if (numel > InputFiles.MAX_ARRAY_LENGTH) {
      throw new WeightFormatException("storage " + MessageText.abbreviate(key) + " has " + numel
          + " elements, more than one Java array holds");
    }
    return new Storage(STORAGE_TYPES.get(type.name().substring("torch.".length())), key, numel);
  }

  /**
   * The state dict {@code choice} names: the first of its keys that holds one, else (for the model) the
   * top-level dict itself. When there is none, the error lists every state dict the file holds.
   */
  static Map<?, ?> select(Object saved, StateDictChoice choice) {
    if (!(saved instanceof Map<?, ?> top)) {
      throw new WeightFormatException("the checkpoint holds " + AllowListUnpickler.describe(saved)
          + ", not a dict of tensors (a whole pickled model, torch.save(model), is not importable: save"
          + " model.state_dict())");
    }
    if (holdsTensors(top)) {
      if (choice.acceptsTopLevel()) {
        return top;
      }
      throw new WeightFormatException("--ema needs " + String.join(" or ", choice.keys())
          + ", but the file is a bare state dict (its only weights)");
    }
    for (String key : choice.keys()) {
      if (top.get(key) instanceof Map<?, ?> nested && holdsTensors(nested)) {
        return nested;
      }
    }
    List<String> candidates = new ArrayList<>();
    top.forEach((k, v) -> {
      if (k instanceof String name && v instanceof Map<?, ?> m && holdsTensors(m)) {
        candidates.add(name);
      }
    });
    List<String> keys = new ArrayList<>();
    top.keySet().forEach(k -> keys.add(AllowListUnpickler.describe(k)));
    throw new WeightFormatException("no state dict under " + String.join(" or ", choice.keys())
        + (choice.acceptsTopLevel() ? " nor at the top level" : "") + "; the file holds "
        + (candidates.isEmpty() ? "no state dict" : "state dicts under " + candidates
            + (choice == StateDictChoice.MODEL && candidates.stream().anyMatch(StateDictChoice.EMA.keys()::contains)
                ? " (--ema imports the EMA weights)" : ""))
        + " (top-level keys: " + abbreviate(keys) + ")");
  }

  private static String abbreviate(List<String> keys) {
    return keys.size() <= 20 ? keys.toString() : keys.subList(0, 20) + " and " + (keys.size() - 20) + " more";
  }

  private static boolean holdsTensors(Map<?, ?> m) {
    return !m.isEmpty() && m.values().stream().allMatch(v -> v instanceof TensorView);
  }

  private StateDict stateDict(Map<?, ?> dict) throws IOException {
    if (dict.size() > limits.maxTensors()) {
      throw new WeightFormatException("the state dict has " + dict.size() + " tensors, more than the limit of "
          + limits.maxTensors() + " (" + CheckpointLimits.knob("tensors") + ")");
    }
    Map<String, Layout> layouts = new LinkedHashMap<>();
    Map<String, Storage> distinctStorages = new HashMap<>();
    long elements = 0;
    long viewed = 0;
    long stored = 0;
    for (Map.Entry<?, ?> e : dict.entrySet()) {
      if (!(e.getKey() instanceof String key)) {
        throw new WeightFormatException("state dict key " + AllowListUnpickler.describe(e.getKey())
            + " is not a string");
      }
      Layout layout = layout(key, (TensorView) e.getValue());
      layouts.put(key, layout);
      Storage previous = distinctStorages.putIfAbsent(layout.storage().key(), layout.storage());
      if (previous != null && !previous.equals(layout.storage())) {
        throw new WeightFormatException("tensor '" + MessageText.abbreviate(key) + "' reads storage "
            + MessageText.abbreviate(layout.storage().key()) + " as " + describe(layout.storage())
            + ", another tensor as " + describe(previous));
      }
      if (previous == null) {
        storageEntries.put(layout.storage().key(), storageEntry(layout.storage()));
      }
      elements = Math.addExact(elements, layout.count() + (previous == null ? layout.storage().numel() : 0));
      viewed += layout.count();
      stored += previous == null ? layout.storage().numel() : 0;
      if (viewed > MAX_READS_PER_STORAGE_ELEMENT * stored) {
        throw new WeightFormatException("the state dict's tensors read " + viewed + " elements from storages of "
            + stored + " (up to tensor '" + MessageText.abbreviate(key) + "'), more than "
            + MAX_READS_PER_STORAGE_ELEMENT + " times over: views that repeat their storage's elements");
      }
      if (elements > limits.maxTensorBytes() / Float.BYTES) {
        throw new WeightFormatException("the state dict's tensors and storages need more than "
            + limits.maxTensorBytes() + " bytes as float32 (" + CheckpointLimits.knob("tensor-bytes") + ")");
      }
    }
    Map<String, RawTensor> tensors = new LinkedHashMap<>();
    for (Map.Entry<String, Layout> e : layouts.entrySet()) {
      tensors.put(e.getKey(), materialise(e.getValue()));
    }
    return new StateDict(tensors);
  }

  /** Validates a view against its storage: integer fields, ranks, non-negative strides, no overflow, in bounds. */
  private static Layout layout(String name, TensorView view) {
    String where = "tensor '" + MessageText.abbreviate(name) + "'";
    if (!(view.storage() instanceof Storage storage)) {
      throw new WeightFormatException(where + ": its storage is " + AllowListUnpickler.describe(view.storage())
          + ", not a persistent storage");
    }
    long offset = field(where, "storage offset", view.offset());
    long[] shape = integers(where, "size", view.size());
    long[] stride = integers(where, "stride", view.stride());
    if (stride.length != shape.length) {
      throw new WeightFormatException(where + ": stride " + TensorShapes.toString(stride) + " has " + stride.length
          + " entries for the " + shape.length + " dimensions of size " + TensorShapes.toString(shape));
    }
    long count = TensorShapes.elementCount(where, shape);
    long last = offset;
    try {
      for (int i = 0; i < shape.length; i++) {
        if (shape[i] > 0) {
          last = Math.addExact(last, Math.multiplyExact(shape[i] - 1, stride[i]));
        }
      }
    } catch (ArithmeticException e) {
      throw new WeightFormatException(where + ": size " + TensorShapes.toString(shape) + " with stride "
          + TensorShapes.toString(stride) + " overflows 64 bits");
    }
    if (count > storage.numel()) {
      // a stride-0 view (expand) repeats its storage's elements: real checkpoints save expanded tensors' storages
      throw new WeightFormatException(where + ": size " + TensorShapes.toString(shape) + " has " + count
          + " elements, more than the " + storage.numel() + " of its storage " + MessageText.abbreviate(storage.key())
          + " (a view that repeats elements)");
    }
    if (count > 0 && last >= storage.numel()) {
      throw new WeightFormatException(where + ": size " + TensorShapes.toString(shape) + ", stride "
          + TensorShapes.toString(stride) + " and offset " + offset + " reach element " + last + " of storage "
          + storage.key() + ", which has " + storage.numel());
    }
    return new Layout(storage, offset, shape, stride, count);
  }

  private static long field(String where, String field, Object value) {
    if (!(value instanceof Long v)) {
      throw new WeightFormatException(where + ": its " + field + " is " + AllowListUnpickler.describe(value)
          + ", not an integer");
    }
    if (v < 0) {
      throw new WeightFormatException(where + ": its " + field + " " + v + " is negative");
    }
    return v;
  }

  private static long[] integers(String where, String field, Object value) {
    if (!(value instanceof List<?> list)) {
      throw new WeightFormatException(where + ": its " + field + " is " + AllowListUnpickler.describe(value)
          + ", not a tuple of integers");
    }
    TensorShapes.checkRank(where, field, list.size());
    long[] out = new long[list.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = field(where, field + "[" + i + "]", list.get(i));
    }
    return out;
  }

  /** Gathers a (possibly strided, offset) view of its storage into a dense C-order tensor. */
  private RawTensor materialise(Layout view) throws IOException {
    float[] storage = storage(view.storage());
    long[] shape = view.shape();
    float[] out = new float[(int) view.count()];
    int[] index = new int[shape.length];
    for (int o = 0; o < out.length; o++) {
      long at = view.offset();
      for (int i = 0; i < shape.length; i++) {
        at += index[i] * view.stride()[i];
      }
      out[o] = storage[(int) at];
      for (int axis = shape.length - 1; axis >= 0 && ++index[axis] == shape[axis]; axis--) {
        index[axis] = 0;
      }
    }
    return new RawTensor(shape, out, view.storage().dtype().integerName());
  }

  /** A storage's zip entry, its size checked against the storage's and {@link #claim claimed}, before any read. */
  private ZipEntry storageEntry(Storage s) {
    ZipEntry entry = entry(zip, prefix + "data/" + s.key());
    if (entry == null) {
      throw new WeightFormatException("storage " + s.key() + " is missing from the archive");
    }
    long bytes = s.numel() * s.dtype().bytes(); // numel is below 2^31 (persistentLoad): no overflow
    if (entry.getSize() != bytes) {
      throw new WeightFormatException("storage " + s.key() + " should hold " + s.numel() + " elements ("
          + bytes + " bytes), the archive entry has " + entry.getSize());
    }
    claim(entry);
    return entry;
  }

  private float[] storage(Storage s) throws IOException {
    float[] cached = storages.get(s.key());
    if (cached != null) {
      return cached;
    }
    float[] values = read(storageEntries.get(s.key()), in -> {
      float[] decoded = new float[(int) s.numel()];
      s.dtype().read(Channels.newChannel(in), decoded, "storage " + s.key());
      return decoded;
    });
    storages.put(s.key(), values);
    return values;
  }

  /** An entry's bytes, its declared size checked against {@code limit} and {@link #claim claimed} before reading. */
  private byte[] readEntry(ZipEntry entry, long limit) throws IOException {
    long size = entry.getSize();
    if (size < 0) {
      throw new WeightFormatException(entry.getName() + " declares no size");
    }
    if (size > limit || size > InputFiles.MAX_ARRAY_LENGTH) {
      throw new WeightFormatException(entry.getName() + " declares " + size + " bytes, more than the limit of "
          + limit + (limit == limits.maxPickleBytes() ? " (" + CheckpointLimits.knob("pickle-bytes") + ")" : ""));
    }
    claim(entry);
    return read(entry, in -> {
      byte[] data = in.readNBytes((int) size);
      if (data.length != size) {
        throw new WeightFormatException(entry.getName() + " is truncated: " + data.length + " of " + size + " bytes");
      }
      return data;
    });
  }

  /** Decodes an entry's declared size from a stream of its bytes. */
  private interface EntryBody<T> {
    T read(InputStream in) throws IOException;
  }

  /**
   * Reads an entry {@link #claim claimed} before: {@code body} reads its declared size, after which nothing may
   * follow, and the bytes read must match the entry's CRC-32 (java.util.zip checks it for neither stored nor
   * deflated entries: one flipped bit loaded a weight of 1.5 for 1.0 without a word).
   */
  private <T> T read(ZipEntry entry, EntryBody<T> body) throws IOException {
    CRC32 crc = new CRC32();
    T value;
    try (InputStream in = new CheckedInputStream(zip.getInputStream(entry), crc)) {
      value = body.read(in);
      if (in.read() >= 0) {
        throw new WeightFormatException(MessageText.abbreviate(entry.getName())
            + " inflates to more than its declared " + entry.getSize() + " bytes");
      }
    }
    if (entry.getCrc() != -1 && crc.getValue() != entry.getCrc()) {
      throw new WeightFormatException(MessageText.abbreviate(entry.getName()) + " fails its CRC-32 check"
          + " (its bytes give " + Long.toHexString(crc.getValue()) + ", the archive records "
          + Long.toHexString(entry.getCrc()) + "): the file is corrupt");
    }
    return value;
  }

  /**
   * Checks an entry about to be read: its declared sizes ({@link #checkDeclaredSizes}), its ratio, and that the
   * entries read so far and this one together declare no more compressed bytes than the file holds. Entries whose
   * central-directory records point at the same bytes (java.util.zip does not expose the offsets) would otherwise
   * pass every check: 64 records naming one stored 64 MB entry made a 67 MB file claim 8 GiB of tensors.
   */
  private void claim(ZipEntry entry) {
    checkDeclaredSizes(entry, fileSize);
    checkRatio(entry, limits);
    long compressed = entry.getCompressedSize();
    if (compressed < 0) {
      throw new WeightFormatException(MessageText.abbreviate(entry.getName()) + " declares no compressed size");
    }
    if (compressed > fileSize - claimedBytes) {
      throw new WeightFormatException(MessageText.abbreviate(entry.getName()) + " brings the entries read to "
          + (claimedBytes + compressed) + " compressed bytes, more than the " + fileSize + " bytes of the whole"
          + " file: entries that share their bytes");
    }
    claimedBytes += compressed;
  }

  /**
   * java.util.zip trusts an entry's declared sizes: a stored entry may declare far more bytes than the file holds
   * (the read then fails, but only after the reader has allocated the declared size). No entry's compressed size
   * can exceed the file's, and a stored entry's size is its compressed size.
   */
  private static void checkDeclaredSizes(ZipEntry entry, long fileSize) {
    long size = entry.getSize();
    long compressed = entry.getCompressedSize();
    if (compressed > fileSize || (entry.getMethod() == ZipEntry.STORED && size > fileSize)) {
      throw new WeightFormatException(MessageText.abbreviate(entry.getName()) + " declares "
          + Math.max(size, compressed) + " bytes, more than the " + fileSize + " bytes of the whole file");
    }
    if (entry.getMethod() == ZipEntry.STORED && compressed >= 0 && size != compressed) {
      throw new WeightFormatException(MessageText.abbreviate(entry.getName()) + " is stored uncompressed"
          + " but declares " + size + " bytes and " + compressed + " compressed");
    }
  }

  private static void checkRatio(ZipEntry entry, CheckpointLimits limits) {
    long size = entry.getSize();
    long compressed = entry.getCompressedSize();
    if (entry.getMethod() == ZipEntry.DEFLATED && size > CheckpointLimits.RATIO_FREE_BYTES
        && (compressed <= 0 || size / compressed > limits.maxZipRatio())) {
      throw new WeightFormatException(entry.getName() + " inflates " + compressed + " bytes to " + size
          + ", a ratio above the limit of " + limits.maxZipRatio() + " (" + CheckpointLimits.knob("zip-ratio")
          + ")");
    }
  }
}
