package org.stmzoo.zoo.weights;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Reads PyTorch's zip checkpoints ({@code torch.save} since 1.6): {@code NAME/data.pkl} is a pickle of the
 * saved object whose tensors refer, by persistent id {@code ('storage', torch.FloatStorage, key, device,
 * numel)}, to raw little-endian storages {@code NAME/data/KEY}. The pickle is read with
 * {@link AllowListUnpickler}: only ordered dicts, PyTorch's tensor and parameter rebuilds and storage types may
 * be named. The state dict is the saved object itself or the dict under {@code state_dict}, {@code model} or
 * {@code model_ema} (training checkpoints).
 */
public final class TorchCheckpointReader {
  /** Where training checkpoints keep the weights, in order of preference. */
  static final List<String> NESTED_STATE_DICT_KEYS = List.of("state_dict", "model", "model_ema");
  private static final long MAX_PICKLE_BYTES = 1L << 30;
  /** torch.*Storage type names (the globals persistent ids name) and their element types. */
  private static final Map<String, ElementDecoder> STORAGE_TYPES = Map.of("FloatStorage", ElementDecoder.F32,
      "HalfStorage", ElementDecoder.F16, "BFloat16Storage", ElementDecoder.BF16, "DoubleStorage", ElementDecoder.F64,
      "LongStorage", ElementDecoder.I64, "IntStorage", ElementDecoder.I32, "ShortStorage", ElementDecoder.I16,
      "CharStorage", ElementDecoder.I8, "ByteStorage", ElementDecoder.U8, "BoolStorage", ElementDecoder.U8);

  /** A storage reference: element type, zip key and element count. */
  private record Storage(ElementDecoder dtype, String key, long numel) {}

  /** What {@code _rebuild_tensor_v2} returns: a strided view of a storage. */
  private record TensorView(Storage storage, long offset, long[] shape, long[] stride) {}

  private final ZipFile zip;
  private final String prefix;
  private final Map<String, float[]> storages = new HashMap<>();

  private TorchCheckpointReader(ZipFile zip, String prefix) {
    this.zip = zip;
    this.prefix = prefix;
  }

  public static StateDict read(Path file) throws IOException {
    try (ZipFile zip = new ZipFile(file.toFile())) {
      ZipEntry pickle = findPickle(zip, file);
      String prefix = pickle.getName().substring(0, pickle.getName().length() - "data.pkl".length());
      ZipEntry byteorder = zip.getEntry(prefix + "byteorder");
      if (byteorder != null && !new String(readEntry(zip, byteorder, 16)).trim().equals("little")) {
        throw new WeightFormatException(file + ": big-endian checkpoints are not supported");
      }
      TorchCheckpointReader reader = new TorchCheckpointReader(zip, prefix);
      Object saved = new AllowListUnpickler(readEntry(zip, pickle, MAX_PICKLE_BYTES), allowList(),
          reader::persistentLoad).load();
      return reader.stateDict(file, saved);
    } catch (java.util.zip.ZipException e) {
      throw new WeightFormatException(file + ": not a readable zip archive: " + e.getMessage(), e);
    }
  }

  private static ZipEntry findPickle(ZipFile zip, Path file) {
    Enumeration<? extends ZipEntry> entries = zip.entries();
    while (entries.hasMoreElements()) {
      ZipEntry e = entries.nextElement();
      String name = e.getName();
      if (name.endsWith("/data.pkl") && name.indexOf('/') == name.length() - "/data.pkl".length()) {
        return e;
      }
    }
    throw new WeightFormatException(file + ": a zip without NAME/data.pkl is not a PyTorch checkpoint");
  }

  /** The globals a plain tensor checkpoint names, and the Java values they build. */
  private static Map<String, AllowListUnpickler.Callable> allowList() {
    Map<String, AllowListUnpickler.Callable> allowed = new HashMap<>();
    allowed.put("collections.OrderedDict", args -> {
      if (!args.isEmpty()) {
        throw AllowListUnpickler.malformed("OrderedDict called with arguments");
      }
      return new LinkedHashMap<>();
    });
    allowed.put("torch._utils._rebuild_tensor_v2", TorchCheckpointReader::rebuildTensor);
    // a Parameter saved with keep_vars: (data, requires_grad, backward_hooks[, state])
    AllowListUnpickler.Callable parameter = args -> args.get(0);
    allowed.put("torch._utils._rebuild_parameter", parameter);
    allowed.put("torch._utils._rebuild_parameter_with_state", parameter);
    STORAGE_TYPES.forEach((name, dtype) -> allowed.put("torch." + name, args -> {
      throw AllowListUnpickler.malformed("torch." + name + " is a storage type, not something to call");
    }));
    return allowed;
  }

  /** {@code _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])}. */
  private static Object rebuildTensor(List<Object> args) {
    if (args.size() < 4 || !(args.get(0) instanceof Storage storage)) {
      throw AllowListUnpickler.malformed("_rebuild_tensor_v2 arguments " + args.size());
    }
    return new TensorView(storage, asLong(args.get(1)), longs(args.get(2)), longs(args.get(3)));
  }

  /** Persistent id {@code ('storage', storage_type, key, location, numel)}. */
  private Object persistentLoad(Object pid) {
    if (!(pid instanceof List<?> t) || t.size() != 5 || !"storage".equals(t.get(0))
        || !(t.get(1) instanceof AllowListUnpickler.Global type) || !(t.get(2) instanceof String key)) {
      throw AllowListUnpickler.malformed("unexpected persistent id " + pid);
    }
    ElementDecoder dtype = STORAGE_TYPES.get(type.name().substring("torch.".length()));
    if (dtype == null) {
      throw AllowListUnpickler.malformed("persistent id with " + type.name() + ", which is not a storage type");
    }
    return new Storage(dtype, key, asLong(t.get(4)));
  }

  private StateDict stateDict(Path file, Object saved) throws IOException {
    Map<?, ?> dict = findStateDict(file, saved);
    Map<String, RawTensor> tensors = new LinkedHashMap<>();
    for (Map.Entry<?, ?> e : dict.entrySet()) {
      if (!(e.getKey() instanceof String key) || !(e.getValue() instanceof TensorView view)) {
        throw new WeightFormatException(file + ": state dict entry " + e.getKey() + " is not a named tensor");
      }
      tensors.put(key, materialise(key, view));
    }
    return new StateDict(tensors);
  }

  private static Map<?, ?> findStateDict(Path file, Object saved) {
    if (!(saved instanceof Map<?, ?> top)) {
      throw new WeightFormatException(file + ": the checkpoint holds no dict of tensors");
    }
    if (holdsTensors(top)) {
      return top;
    }
    for (String key : NESTED_STATE_DICT_KEYS) {
      if (top.get(key) instanceof Map<?, ?> nested && holdsTensors(nested)) {
        return nested;
      }
    }
    throw new WeightFormatException(file + ": no state dict found at the top level or under "
        + NESTED_STATE_DICT_KEYS + " (top-level keys: " + top.keySet() + ")");
  }

  private static boolean holdsTensors(Map<?, ?> m) {
    return !m.isEmpty() && m.values().stream().allMatch(v -> v instanceof TensorView);
  }

  /** Gathers a (possibly strided, offset) view of its storage into a dense C-order tensor. */
  private RawTensor materialise(String name, TensorView view) throws IOException {
    float[] storage = storage(view.storage());
    long[] shape = view.shape();
    long count = RawTensor.elementCount(shape);
    if (count > Integer.MAX_VALUE - 8) {
      throw new WeightFormatException("tensor '" + name + "' is too large");
    }
    long last = view.offset();
    for (int i = 0; i < shape.length; i++) {
      last += shape[i] == 0 ? 0 : (shape[i] - 1) * view.stride()[i];
    }
    if (count > 0 && (view.offset() < 0 || last >= storage.length)) {
      throw new WeightFormatException("tensor '" + name + "' reaches outside its storage");
    }
    float[] out = new float[(int) count];
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
    return new RawTensor(shape, out);
  }

  private float[] storage(Storage s) throws IOException {
    float[] cached = storages.get(s.key());
    if (cached != null) {
      return cached;
    }
    ZipEntry entry = zip.getEntry(prefix + "data/" + s.key());
    if (entry == null) {
      throw new WeightFormatException("storage " + s.key() + " is missing from the archive");
    }
    long bytes = Math.multiplyExact(s.numel(), s.dtype().bytes());
    if (s.numel() > Integer.MAX_VALUE - 8 || entry.getSize() != bytes) {
      throw new WeightFormatException("storage " + s.key() + " should hold " + s.numel() + " elements ("
          + bytes + " bytes), the archive entry has " + entry.getSize());
    }
    float[] values = s.dtype().decode(ByteBuffer.wrap(readEntry(zip, entry, bytes)), (int) s.numel());
    storages.put(s.key(), values);
    return values;
  }

  private static byte[] readEntry(ZipFile zip, ZipEntry entry, long limit) throws IOException {
    if (entry.getSize() < 0 || entry.getSize() > limit) {
      throw new WeightFormatException(entry.getName() + " has an implausible size " + entry.getSize());
    }
    try (InputStream in = zip.getInputStream(entry)) {
      byte[] data = in.readNBytes((int) entry.getSize());
      if (data.length != entry.getSize()) {
        throw new WeightFormatException(entry.getName() + " is truncated");
      }
      return data;
    }
  }

  private static long asLong(Object o) {
    if (o instanceof Long l) {
      return l;
    }
    throw AllowListUnpickler.malformed("expected an integer, found " + o);
  }

  private static long[] longs(Object o) {
    if (!(o instanceof List<?> list)) {
      throw AllowListUnpickler.malformed("expected a tuple of integers, found " + o);
    }
    return list.stream().mapToLong(TorchCheckpointReader::asLong).toArray();
  }
}
