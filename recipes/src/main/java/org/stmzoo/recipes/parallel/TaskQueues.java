package org.stmzoo.recipes.parallel;

import java.util.List;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.io.FifoQueue;
import org.tensorflow.proto.RunOptions;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TString;
import org.tensorflow.types.family.TType;

/**
 * The queues through which a cluster's processes meet, on each non-chief task: its {@code data} queue (its
 * share of each batch: images and labels, filled by the task's own process, emptied by the chief's step) and its
 * {@code control} queue (messages from the chief, an int64 token and a text: the step to start producing from
 * with the chief's {@link SharedArguments}, then {@link #DONE} with none); and on the chief, each task's
 * {@code reply} queue (the task's answer to the start: empty, or its refusal naming the arguments that differ).
 * Chief and worker build the same queue ops in their own graphs; the shared name makes them one queue on the
 * task's server.
 */
public final class TaskQueues {
  /** The control token that ends a worker. */
  public static final long DONE = -1;
  private static final int DATA_CAPACITY = 2;
  private static final int CONTROL_CAPACITY = 4;
  private static final int REPLY_CAPACITY = 1;

  private TaskQueues() {}

  /** A run's options bounding it to {@code ms}: every cross-task call of the protocol has a deadline. */
  static RunOptions deadline(int ms) {
    return RunOptions.newBuilder().setTimeoutInMs(ms).build();
  }

  public static List<Class<? extends TType>> dataTypes() {
    return List.of(TFloat32.class, TInt32.class);
  }

  /** Task {@code task}'s data queue of slices {@code [share, H, W, C]} and labels {@code [share]}. */
  public static Operand<?> data(Graph graph, Ops tf, int task, Shape slice) {
    return NativeGraphs.onDevice(graph, Cluster.device(task), () -> tf.withSubScope("cluster").withName("data_queue_" + task)
        .io.fifoQueue(dataTypes(), FifoQueue.shapes(slice, Shape.of(slice.get(0))),
            FifoQueue.capacity((long) DATA_CAPACITY), FifoQueue.sharedName("stmzoo_data_" + task)));
  }

  /** The components of a control message: the token and its text. */
  public static List<Class<? extends TType>> controlTypes() {
    return List.of(TInt64.class, TString.class);
  }

  /** Task {@code task}'s control queue of messages (an int64 scalar and a string scalar). */
  public static Operand<?> control(Graph graph, Ops tf, int task) {
    return NativeGraphs.onDevice(graph, Cluster.device(task), () -> tf.withSubScope("cluster").withName("control_queue_" + task)
        .io.fifoQueue(controlTypes(), FifoQueue.shapes(Shape.scalar(), Shape.scalar()),
            FifoQueue.capacity((long) CONTROL_CAPACITY), FifoQueue.sharedName("stmzoo_control_" + task)));
  }

  /** Task {@code task}'s reply queue of string scalars, on the chief (it outlives a task that refuses and ends). */
  public static Operand<?> reply(Graph graph, Ops tf, int task) {
    return NativeGraphs.onDevice(graph, Cluster.device(0), () -> tf.withSubScope("cluster").withName("reply_queue_" + task)
        .io.fifoQueue(List.of(TString.class), FifoQueue.shapes(Shape.scalar()),
            FifoQueue.capacity((long) REPLY_CAPACITY), FifoQueue.sharedName("stmzoo_reply_" + task)));
  }
}
