package org.stmzoo.recipes.parallel;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.io.QueueClose;
import org.tensorflow.proto.RunOptions;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TString;

/**
 * The chief's side of the cluster protocol ({@link TaskQueues}): tells every worker the step to start producing
 * from once the variables are initialised or restored (with the chief's arguments, which each worker checks its own
 * against before it answers), and at the end closes their data queues (a worker blocked on a full queue is
 * released) and sends {@link TaskQueues#DONE}.
 */
public final class ClusterChief {
  private static final RunOptions CONTROL = TaskQueues.deadline(30_000);
  private final Cluster cluster;
  private final Placeholder<TInt64> token;
  private final Placeholder<TString> text;
  private final List<Op> sendToken = new ArrayList<>();
  private final List<Op> closeData = new ArrayList<>();
  private final List<Operand<?>> replies = new ArrayList<>();

  /** Builds the control ops in the chief's graph (before its ops are placed). */
  public ClusterChief(Graph graph, Ops tf, Cluster cluster, Shape slice) {
    this.cluster = cluster;
    token = tf.withSubScope("cluster").withName("token").placeholder(TInt64.class, Placeholder.shape(Shape.scalar()));
    text = tf.withSubScope("cluster").withName("text").placeholder(TString.class, Placeholder.shape(Shape.scalar()));
    for (int task = 1; task < cluster.size(); task++) {
      var control = TaskQueues.control(graph, tf, task);
      var data = TaskQueues.data(graph, tf, task, slice);
      sendToken.add(NativeGraphs.onDevice(graph, Cluster.device(task),
          () -> tf.io.queueEnqueue(control, List.of(token, text))));
      closeData.add(NativeGraphs.onDevice(graph, Cluster.device(task),
          () -> tf.io.queueClose(data, QueueClose.cancelPendingEnqueues(true))));
      var reply = TaskQueues.reply(graph, tf, task);
      replies.add(NativeGraphs.onDevice(graph, Cluster.device(0),
          () -> tf.io.queueDequeue(reply, List.of(TString.class)).components().get(0)));
    }
  }

  /**
   * Every worker starts producing its slices from {@code step}, once it has found its own arguments the same as
   * the chief's {@code arguments}; a worker whose arguments differ refuses (and ends), and so does the chief, with
   * the one line that names them. Each worker's answer is waited for up to {@code timeout}; a worker that gives
   * none is named. Either way the workers that did start are released first ({@link #finish}), so that they end
   * now instead of waiting out their own timeout for a chief that is gone.
   */
  public void start(Session session, SharedArguments arguments, long step, Duration timeout) {
    try (TInt64 t = TInt64.scalarOf(step); TString a = TString.scalarOf(arguments.encode())) {
      for (Op send : sendToken) {
        session.runner().feed(token, t).feed(text, a).addTarget(send).setOptions(CONTROL).run();
      }
    }
    RunOptions answer = TaskQueues.deadline((int) Math.min(Integer.MAX_VALUE, timeout.toMillis()));
    List<String> refusals = new ArrayList<>();
    List<String> silent = new ArrayList<>();
    for (int i = 0; i < replies.size(); i++) {
      try (Result r = session.runner().fetch(replies.get(i)).setOptions(answer).run()) {
        String refusal = ((TString) r.get(0)).getObject();
        if (!refusal.isEmpty()) {
          refusals.add(refusal);
        }
      } catch (RuntimeException noAnswer) {
        silent.add("task " + (i + 1) + " (" + cluster.address(i + 1) + ")");
      }
    }
    if (refusals.isEmpty() && silent.isEmpty()) {
      return;
    }
    finish(session);
    if (!refusals.isEmpty()) {
      throw SharedArguments.refused(refusals);
    }
    throw new IllegalStateException(String.join(", ", silent) + " did not answer the chief's start within "
        + timeout.toSeconds() + " s (--cluster-timeout); restart every task");
  }

  /**
   * Releases and ends the workers, each on its own: a worker that is gone already is not waited for again, and
   * does not keep the workers after it from their end. Returns the one-line account of those that could not be
   * told, if any (they stop on their own once the chief has been silent for their timeout).
   */
  public Optional<String> finish(Session session) {
    List<String> unreachable = new ArrayList<>();
    String firstError = null;
    try (TInt64 done = TInt64.scalarOf(TaskQueues.DONE); TString none = TString.scalarOf("")) {
      for (int i = 0; i < sendToken.size(); i++) {
        try {
          session.runner().addTarget(closeData.get(i)).setOptions(CONTROL).run();
          session.runner().feed(token, done).feed(text, none).addTarget(sendToken.get(i)).setOptions(CONTROL).run();
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
}
