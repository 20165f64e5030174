package org.stmzoo.zoo.weights;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The globals a pickle may not name. stmzoo's unpickler calls nothing a pickle names (an unknown class becomes
 * an inert {@link PickleValues.PyObject}), so this list guards intent, not execution: a file naming a callable
 * that runs commands, evaluates code, imports modules, opens files or unpickles further data is an attack or a
 * mistake, and is refused with the name. Python 2 module names (protocol 2 pickles write {@code __builtin__},
 * {@code copy_reg}) are mapped to Python 3's first, as Python's own unpickler does.
 */
final class CodeRunningGlobals {
  /** Modules every member of which is refused (and their submodules). */
  private static final List<String> MODULES = List.of("os", "posix", "nt", "subprocess", "sys", "importlib",
      "pickle", "_pickle", "marshal", "shutil", "socket", "ctypes", "_ctypes", "runpy", "code", "codeop", "pty",
      "pdb", "bdb", "webbrowser", "multiprocessing", "_posixsubprocess", "commands", "popen2", "platform", "shelve",
      "dill", "cloudpickle", "joblib", "operator", "_operator", "functools", "io", "_io", "tempfile",
      "signal", "asyncio", "threading", "_thread", "inspect", "gc", "ast", "timeit", "trace", "cProfile",
      "profile", "site", "sysconfig", "zipimport", "pkgutil", "urllib", "http", "ftplib", "smtplib", "telnetlib",
      "sqlite3", "logging.config", "torch.hub", "torch.jit", "torch.package", "torch._C", "torch.ops",
      "torch.cuda", "torch.utils.cpp_extension", "numpy.ctypeslib", "numpy.testing", "numpy.distutils", "nose",
      "pytest", "setuptools", "distutils", "pip", "pydoc", "__main__.__builtins__");
  /** Single callables outside those modules. */
  private static final Set<String> NAMES = Set.of("torch.load", "torch.storage._load_from_bytes",
      "torch.serialization.load", "codecs.open", "torch._utils._rebuild_device_tensor_from_numpy", "numpy.load", "numpy.fromfile",
      "numpy.save", "numpy.savetxt", "numpy.loadtxt", "numpy.genfromtxt", "numpy.memmap", "numpy.lib.npyio.load",
      "pathlib.Path.write_text", "pathlib.Path.write_bytes", "types.CodeType", "types.FunctionType",
      "types.LambdaType", "types.MethodType", "types.ModuleType", "types.new_class");
  /** The members of builtins that build plain values; every other builtin (eval, exec, getattr, open...) is refused. */
  private static final Set<String> SAFE_BUILTINS = Set.of("set", "frozenset", "bytearray", "bytes", "list", "dict",
      "tuple", "slice", "complex", "range", "int", "float", "str", "bool", "object", "NotImplemented", "Ellipsis",
      "Exception", "ValueError", "KeyError", "RuntimeError", "TypeError");
  private static final Map<String, String> PYTHON2_MODULES = Map.of("__builtin__", "builtins", "copy_reg",
      "copyreg", "exceptions", "builtins", "cPickle", "pickle", "UserDict", "collections", "UserList",
      "collections", "Queue", "queue", "StringIO", "io", "cStringIO", "io");

  private CodeRunningGlobals() {}

  /** The module name Python 3 would import for {@code module}. */
  static String python3Module(String module) {
    return PYTHON2_MODULES.getOrDefault(module, module);
  }

  /** Why {@code module.name} is refused, or empty if naming it is harmless. */
  static Optional<String> reason(String module, String name) {
    String qualified = module + "." + name;
    if (module.isEmpty() || name.isEmpty()) {
      return Optional.of("an empty module or name");
    }
    if (module.equals("builtins")) {
      return SAFE_BUILTINS.contains(name) ? Optional.empty()
          : Optional.of("a builtin other than the plain value constructors can evaluate code or reach any object");
    }
    for (String m : MODULES) {
      // the qualified name, not only the module: pickle's GLOBAL may split torch.hub.load as (torch, hub.load)
      if (module.equals(m) || qualified.startsWith(m + ".")) {
        return Optional.of("module " + m + " can run commands, evaluate or unpickle code, or touch files");
      }
    }
    if (NAMES.contains(qualified)) {
      return Optional.of("it loads or runs further data");
    }
    // attribute chains through dunders (builtins.object.__subclasses__, x.__globals__) reach arbitrary objects
    for (String part : (qualified).split("\\.")) {
      if (part.length() > 4 && part.startsWith("__") && part.endsWith("__") && !part.equals("__main__")
          && !part.equals("__newobj__") && !part.equals("__newobj_ex__")) {
        return Optional.of("it reaches through the special attribute " + part);
      }
    }
    return Optional.empty();
  }
}
