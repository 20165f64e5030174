package org.stmzoo.recipes.parallel;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.stmzoo.datasets.pipeline.Batch;
import org.stmzoo.datasets.pipeline.BatchLoader;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.io.QueueDequeue;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.RunOptions;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TString;

/**
 * A non-chief task's work: wait for the chief's start step (refused when the chief's arguments are not this
 * task's: its slices would not be parts of the chief's batches), then load this task's slice of every batch from
 * there to the end of training and put it in the task's data queue (where the chief's step takes it and this
 * task's replica trains on it), then wait for the chief's {@link TaskQueues#DONE} (this process's server must
 * outlive the last step).
 *
 * <p>Never hangs: every blocking call runs with a short deadline, and after each deadline the chief is pinged;
 * a chief unreachable for {@code timeout} ends this process with an error naming it (the session, which TF
 * cannot close while the chief is gone, is closed with a deadline: {@link GraphSession#remote}).
 */
public final class ShardProducer {
  private static final int POLL_MS = 10_000;
  private static final RunOptions POLL = TaskQueues.deadline(POLL_MS);

  private final Cluster cluster;
  private final String target;
  private final BatchLoader shard;
  private final SharedArguments arguments;
  private final int epochs;
  private final Shape slice;
  private final Duration timeout;
  private final PrintStream log;

  /**
   * @param shard this task's shard of the training set ({@link BatchLoader.Shard}), seeded as the chief's
   * @param arguments what this task's shard is made from, which must be the chief's
   * @param slice the shape of one slice {@code [share, H, W, C]}
   */
  public ShardProducer(Cluster cluster, String target, BatchLoader shard, SharedArguments arguments, int epochs,
      Shape slice, Duration timeout, PrintStream log) {
    this.cluster = cluster;
    this.target = target;
    this.shard = shard;
    this.arguments = arguments;
    this.epochs = epochs;
    this.slice = slice;
    this.timeout = timeout;
    this.log = log;
  }

  /** Thrown when the chief closed this task's queue: training stopped early, not an error of this task. */
  private static final class Stopped extends RuntimeException {
    Stopped() {
      super(null, null, false, false);
    }
  }

  /** Produces until the chief says done; returns the number of slices produced. */
  public long run() {
    int task = cluster.taskIndex();
    ConfigProto config = ConfigProto.newBuilder()
        .addDeviceFilters("/job:" + Cluster.JOB + "/task:0").addDeviceFilters("/job:" + Cluster.JOB + "/task:" + task)
        .build();
    // closed with a deadline: once the chief has died, closing a session that reached it never returns
    try (GraphSession graphSession = GraphSession.remote(target, config, GraphSession.CLUSTER_CLOSE_TIMEOUT)) {
      Graph g = graphSession.graph();
      Session session = graphSession.session();
      Ops tf = Ops.create(g);
      Placeholder<TFloat32> images = tf.withName("images").placeholder(TFloat32.class, Placeholder.shape(slice));
      Placeholder<TInt32> labels = tf.withName("labels").placeholder(TInt32.class,
          Placeholder.shape(Shape.of(slice.get(0))));
      Operand<?> data = TaskQueues.data(g, tf, task, slice);
      Op enqueue = NativeGraphs.onDevice(g, Cluster.device(task),
          () -> tf.io.queueEnqueue(data, List.of(images, labels)));
      Operand<?> control = TaskQueues.control(g, tf, task);
      QueueDequeue message = NativeGraphs.onDevice(g, Cluster.device(task),
          () -> tf.io.queueDequeue(control, TaskQueues.controlTypes()));
      Placeholder<TString> refusal = tf.withName("refusal").placeholder(TString.class,
          Placeholder.shape(Shape.scalar()));
      Operand<?> reply = TaskQueues.reply(g, tf, task);
      Op answer = NativeGraphs.onDevice(g, Cluster.device(0), () -> tf.io.queueEnqueue(reply, List.of(refusal)));
      Operand<?> ping = NativeGraphs.onDevice(g, Cluster.device(0), () -> tf.identity(tf.constant(0)));
      NativeGraphs.placeUnplaced(g, Cluster.device(task));

      Liveness chief = new Liveness(session, ping);
      log.printf(Locale.ROOT, "task %d of %d: waiting for the chief at %s%n", task, cluster.size(), cluster.address(0));
      Message first = awaitMessage(session, message, chief);
      if (first.token() == TaskQueues.DONE) {
        return 0;
      }
      Optional<String> differ = arguments.differences(SharedArguments.decode(first.text()), task);
      // the answer goes to the chief's server, where it outlives this process when it refuses
      try (TString t = TString.scalarOf(differ.orElse(""))) {
        call(chief, () -> {
          session.runner().feed(refusal, t).addTarget(answer).setOptions(POLL).run();
          return null;
        });
      }
      if (differ.isPresent()) {
        throw SharedArguments.refused(List.of(differ.get()));
      }
      long start = first.token();
      long stepsPerEpoch = shard.batchesPerEpoch();
      long total = epochs * stepsPerEpoch;
      log.printf(Locale.ROOT, "task %d: producing its slice of steps %d..%d%n", task, start, total - 1);
      long produced = 0;
      try {
        for (long step = start; step < total; ) {
          int epoch = (int) (step / stepsPerEpoch);
          Iterator<Batch> batches = shard.epoch(epoch, (int) (step % stepsPerEpoch));
          while (batches.hasNext()) {
            Batch b = batches.next();
            try (TFloat32 x = TFloat32.tensorOf(slice, DataBuffers.of(b.images(), true, false));
                TInt32 y = TInt32.vectorOf(b.labels())) {
              call(chief, () -> {
                session.runner().feed(images, x).feed(labels, y).addTarget(enqueue).setOptions(POLL).run();
                return null;
              });
            }
            step++;
            produced++;
          }
        }
      } catch (Stopped stopped) {
        log.printf(Locale.ROOT, "task %d: the chief stopped training after %d of this task's slices%n", task,
            produced);
      }
      long last = awaitMessage(session, message, chief).token();
      if (last != TaskQueues.DONE) {
        throw new IllegalStateException("task " + task + ": expected the chief's end, got start step " + last);
      }
      log.printf(Locale.ROOT, "task %d: done (%d slices)%n", task, produced);
      return produced;
    }
  }

  /** A control message from the chief: a token and its text. */
  private record Message(long token, String text) {}

  private Message awaitMessage(Session session, QueueDequeue message, Liveness chief) {
    while (true) {
      try {
        return call(chief, () -> {
          try (Result r = session.runner().fetch(message.components().get(0)).fetch(message.components().get(1))
              .setOptions(POLL).run()) {
            return new Message(((TInt64) r.get(0)).getLong(), ((TString) r.get(1)).getObject());
          }
        });
      } catch (Stopped closed) {
        // only data queues are closed; keep waiting for the token
      }
    }
  }

  /** Runs a blocking call, retrying after deadlines while the chief answers. */
  private <T> T call(Liveness chief, java.util.function.Supplier<T> blocking) {
    while (true) {
      long started = System.nanoTime();
      try {
        T result = blocking.get();
        chief.heard();
        return result;
      } catch (RuntimeException e) {
        String message = String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT);
        if (message.contains("is closed") || message.contains("cancelled")) {
          throw new Stopped();
        }
        boolean deadline = System.nanoTime() - started >= POLL_MS * 1_000_000L / 2;
        if (chief.answers() && !deadline) {
          throw e; // a real error of this task, not a wait
        }
      }
    }
  }

  /** When the chief last answered; fails once it has been silent for longer than the timeout. */
  private final class Liveness {
    private final Session session;
    private final Operand<?> ping;
    private long lastHeard = System.nanoTime();

    Liveness(Session session, Operand<?> ping) {
      this.session = session;
      this.ping = ping;
    }

    void heard() {
      lastHeard = System.nanoTime();
    }

    /** Pings the chief: true when it answers, false while it may still come back, an error after the timeout. */
    boolean answers() {
      try (Result r = session.runner().fetch(ping).setOptions(POLL).run()) {
        heard();
        return true;
      } catch (RuntimeException silent) {
        if (System.nanoTime() - lastHeard > timeout.toNanos()) {
          throw new IllegalStateException("task " + cluster.taskIndex() + ": the chief (task 0 at "
              + cluster.address(0) + ") has not answered for " + timeout.toSeconds() + " s; stopping ("
              + firstLine(silent.getMessage()) + ")", silent);
        }
        try {
          Thread.sleep(500);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted", e);
        }
        return false;
      }
    }
  }

  static String firstLine(String message) {
    if (message == null) {
      return "no message";
    }
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }
}
