package org.stmzoo.recipes.parallel;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.io.QueueClose;
import org.tensorflow.proto.RunOptions;
import org.tensorflow.types.TInt64;

/**
 * The chief's side of the cluster protocol ({@link TaskQueues}): tells every worker the step to start producing
 * from once the variables are initialised or restored, and at the end closes their data queues (a worker blocked
 * on a full queue is released) and sends {@link TaskQueues#DONE}.
 */
public final class ClusterChief {
  private static final int CONTROL_TIMEOUT_MS = 30_000;
  private final Placeholder<TInt64> token;
  private final List<Op> sendToken = new ArrayList<>();
  private final List<Op> closeData = new ArrayList<>();

  /** Builds the control ops in the chief's graph (before its ops are placed). */
  public ClusterChief(Graph graph, Ops tf, Cluster cluster, Shape slice) {
    token = tf.withSubScope("cluster").withName("token").placeholder(TInt64.class, Placeholder.shape(Shape.scalar()));
    for (int task = 1; task < cluster.size(); task++) {
      var control = TaskQueues.control(graph, tf, task);
      var data = TaskQueues.data(graph, tf, task, slice);
      sendToken.add(NativeGraphs.onDevice(graph, Cluster.device(task),
          () -> tf.io.queueEnqueue(control, List.of(token))));
      closeData.add(NativeGraphs.onDevice(graph, Cluster.device(task),
          () -> tf.io.queueClose(data, QueueClose.cancelPendingEnqueues(true))));
    }
  }

  /** Every worker starts producing its slices from {@code step}. */
  public void start(Session session, long step) {
    send(session, step);
  }

  /** Releases and ends the workers; a worker that is gone already is not waited for. */
  public void finish(Session session) {
    RunOptions options = RunOptions.newBuilder().setTimeoutInMs(CONTROL_TIMEOUT_MS).build();
    for (Op close : closeData) {
      try {
        session.runner().addTarget(close).setOptions(options).run();
      } catch (RuntimeException gone) {
        // a dead worker has nothing to release
      }
    }
    try {
      send(session, TaskQueues.DONE);
    } catch (RuntimeException gone) {
      // idem
    }
  }

  /**
   * The chief's one-line account of a step that failed for the cluster's sake (a task died or stopped
   * answering), naming the task when TF's message does.
   */
  public static IllegalStateException lostTask(Cluster cluster, RuntimeException e) {
    String message = String.valueOf(e.getMessage());
    Matcher task = Pattern.compile("/job:" + Cluster.JOB + "/replica:0/task:(\\d+)").matcher(message);
    String who = "a task";
    while (task.find()) {
      int index = Integer.parseInt(task.group(1));
      if (index != cluster.taskIndex() && index < cluster.size()) {
        who = "task " + index + " (" + cluster.address(index) + ")";
        break;
      }
    }
    return new IllegalStateException("the cluster lost " + who + ": " + ShardProducer.firstLine(message)
        + "; restart every task with --resume to continue from the last checkpoint", e);
  }

  private void send(Session session, long value) {
    RunOptions options = RunOptions.newBuilder().setTimeoutInMs(CONTROL_TIMEOUT_MS).build();
    try (TInt64 t = TInt64.scalarOf(value)) {
      for (Op send : sendToken) {
        session.runner().feed(token, t).addTarget(send).setOptions(options).run();
      }
    }
  }
}
