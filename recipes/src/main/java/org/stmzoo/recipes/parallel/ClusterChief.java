package org.stmzoo.recipes.parallel;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
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
  private static final RunOptions CONTROL = TaskQueues.deadline(30_000);
  private final Cluster cluster;
  private final Placeholder<TInt64> token;
  private final List<Op> sendToken = new ArrayList<>();
  private final List<Op> closeData = new ArrayList<>();

  /** Builds the control ops in the chief's graph (before its ops are placed). */
  public ClusterChief(Graph graph, Ops tf, Cluster cluster, Shape slice) {
    this.cluster = cluster;
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

  /**
   * Releases and ends the workers, each on its own: a worker that is gone already is not waited for again, and
   * does not keep the workers after it from their end. Returns the one-line account of those that could not be
   * told, if any (they stop on their own once the chief has been silent for their timeout).
   */
  public Optional<String> finish(Session session) {
    List<String> unreachable = new ArrayList<>();
    String firstError = null;
    try (TInt64 done = TInt64.scalarOf(TaskQueues.DONE)) {
      for (int i = 0; i < sendToken.size(); i++) {
        try {
          session.runner().addTarget(closeData.get(i)).setOptions(CONTROL).run();
          session.runner().feed(token, done).addTarget(sendToken.get(i)).setOptions(CONTROL).run();
        } catch (RuntimeException gone) {
          unreachable.add("task " + (i + 1) + " (" + cluster.address(i + 1) + ")");
          firstError = firstError != null ? firstError : ShardProducer.firstLine(gone.getMessage());
        }
      }
    }
    if (unreachable.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of("could not tell " + String.join(", ", unreachable) + " that training ended (" + firstError
        + "); a task left waiting stops once the chief has been silent for its --cluster-timeout");
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
    try (TInt64 t = TInt64.scalarOf(value)) {
      for (Op send : sendToken) {
        session.runner().feed(token, t).addTarget(send).setOptions(CONTROL).run();
      }
    }
  }
}
