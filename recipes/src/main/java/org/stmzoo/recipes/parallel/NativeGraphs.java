package org.stmzoo.recipes.parallel;

import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeleteDeviceList;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeviceListCount;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeviceListName;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_SessionListDevices;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_SetConfig;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_SetRequestedDevice;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_SetTarget;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Set;
import java.util.function.Supplier;
import java.util.List;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.PointerScope;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Session;
import org.tensorflow.internal.c_api.TF_DeviceList;
import org.tensorflow.internal.c_api.TF_Graph;
import org.tensorflow.internal.c_api.TF_Operation;
import org.tensorflow.internal.c_api.TF_Session;
import org.tensorflow.internal.c_api.TF_SessionOptions;
import org.tensorflow.internal.c_api.TF_Status;
import org.tensorflow.proto.ConfigProto;

/**
 * The three things data-parallel training needs from the TF C API that TF Java 1.1.0's public API does not offer:
 * setting the device of an op after it was built (gradient ops come out of the C++ gradient builder without a
 * device, and layers build with the {@code Ops} of their construction), a session on a target other than the
 * in-process one ({@code grpc://host:port}; TF Java's Session always passes none), and the device list of a
 * session. TF Java keeps the native handles package-private, so this class reaches them by reflection; the
 * members it uses are named in one place each, and a TF Java upgrade that renames them fails here loudly.
 */
public final class NativeGraphs {
  private NativeGraphs() {}

  /** Sets the requested device of an op built earlier; takes effect if no session has run the op yet. */
  public static void setDevice(Graph graph, GraphOperation op, String device) {
    try (GraphHandle handle = GraphHandle.of(graph)) {
      TF_SetRequestedDevice(handle.pointer(), operation(op), device);
    }
  }

  /**
   * Runs {@code build} and places every op it added to the graph on {@code device} (ops that already name a
   * device, and variables, keep theirs). Layers build with the {@code Ops} they were constructed with and
   * gradients come without devices, so placement happens after the fact rather than through a scope.
   */
  public static <T> T onDevice(Graph graph, String device, Supplier<T> build) {
    Set<String> before = new HashSet<>();
    graph.operations().forEachRemaining(op -> before.add(op.name()));
    T result = build.get();
    Iterator<GraphOperation> ops = graph.operations();
    while (ops.hasNext()) {
      GraphOperation op = ops.next();
      if (!before.contains(op.name()) && op.device().isEmpty() && !op.type().equals("VarHandleOp")) {
        setDevice(graph, op, device);
      }
    }
    return result;
  }

  /** Places every op without a device, variables included, on {@code device} (a cluster's chief). */
  public static void placeUnplaced(Graph graph, String device) {
    Iterator<GraphOperation> ops = graph.operations();
    while (ops.hasNext()) {
      GraphOperation op = ops.next();
      if (op.device().isEmpty()) {
        setDevice(graph, op, device);
      }
    }
  }

  /** A session on {@code graph} whose master is {@code target} (e.g. {@code grpc://127.0.0.1:2222}). */
  public static Session session(Graph graph, String target, ConfigProto config) {
    TF_Session session;
    try (PointerScope scope = new PointerScope(); GraphHandle handle = GraphHandle.of(graph)) {
      TF_Status status = TF_Status.newStatus();
      TF_SessionOptions options = TF_SessionOptions.newSessionOptions();
      if (target != null) {
        TF_SetTarget(options, target);
      }
      byte[] bytes = config.toByteArray();
      TF_SetConfig(options, new BytePointer(bytes), bytes.length, status);
      status.throwExceptionIfNotOK();
      session = TF_Session.newSession(handle.pointer(), options, status);
      status.throwExceptionIfNotOK();
      // Outlives the pointer scope, as TF Java's own Session.allocate does it; the Session deletes it.
      session.retainReference();
    }
    try {
      Constructor<Session> c = Session.class.getDeclaredConstructor(Graph.class, TF_Session.class);
      c.setAccessible(true);
      return c.newInstance(graph, session);
    } catch (ReflectiveOperationException e) {
      throw incompatible("Session(Graph, TF_Session)", e);
    }
  }

  /** The full names of the devices a session with {@code config} sees in this process. */
  public static List<String> localDevices(ConfigProto config) {
    try (Graph graph = new Graph(); Session session = session(graph, null, config);
        PointerScope scope = new PointerScope()) {
      TF_Status status = TF_Status.newStatus();
      TF_DeviceList list = TF_SessionListDevices(nativeSession(session), status);
      status.throwExceptionIfNotOK();
      try {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < TF_DeviceListCount(list); i++) {
          names.add(TF_DeviceListName(list, i, status).getString());
          status.throwExceptionIfNotOK();
        }
        return names;
      } finally {
        TF_DeleteDeviceList(list);
      }
    }
  }

  private static TF_Operation operation(GraphOperation op) {
    try {
      Method m = GraphOperation.class.getDeclaredMethod("getUnsafeNativeHandle", int.class);
      m.setAccessible(true);
      return (TF_Operation) m.invoke(op, 0);
    } catch (ReflectiveOperationException e) {
      throw incompatible("GraphOperation.getUnsafeNativeHandle", e);
    }
  }

  private static TF_Session nativeSession(Session session) {
    try {
      var f = Session.class.getDeclaredField("nativeHandle");
      f.setAccessible(true);
      return (TF_Session) f.get(session);
    } catch (ReflectiveOperationException e) {
      throw incompatible("Session.nativeHandle", e);
    }
  }

  private static IllegalStateException incompatible(String member, ReflectiveOperationException e) {
    Throwable cause = e instanceof InvocationTargetException ite ? ite.getCause() : e;
    if (cause instanceof RuntimeException runtime && e instanceof InvocationTargetException) {
      throw runtime;
    }
    return new IllegalStateException("this TensorFlow Java version lacks " + member
        + " (stmzoo's data-parallel training was written against TF Java 1.1.0)", cause);
  }

  /** Graph.ref(): keeps the native graph alive while the handle is used. */
  private record GraphHandle(AutoCloseable reference, TF_Graph pointer) implements AutoCloseable {
    static GraphHandle of(Graph graph) {
      try {
        Method ref = Graph.class.getDeclaredMethod("ref");
        ref.setAccessible(true);
        Object reference = ref.invoke(graph);
        Method handle = reference.getClass().getDeclaredMethod("nativeHandle");
        handle.setAccessible(true);
        return new GraphHandle((AutoCloseable) reference, (TF_Graph) handle.invoke(reference));
      } catch (ReflectiveOperationException e) {
        throw incompatible("Graph.ref().nativeHandle()", e);
      }
    }

    @Override
    public void close() {
      try {
        reference.close();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
  }
}
