package org.stmzoo.recipes.parallel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_ServerTarget;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.types.TInt64;

/**
 * The chief's end of training on a cluster of three (tasks 0 and 2 served in this process, task 1 by another
 * that is killed once the chief's session is up): the task it cannot reach does not keep the one after it from
 * its end.
 */
class ClusterChiefTest {
  /** The servers of this class's clusters: TF's servers have no clean shutdown, they live with the JVM. */
  private static final List<Object> SERVERS = new ArrayList<>();

  @Test
  void aDeadTaskDoesNotKeepTheNextFromItsEnd(@TempDir Path dir) throws Exception {
    String addresses = "127.0.0.1:" + freePort() + ",127.0.0.1:" + freePort() + ",127.0.0.1:" + freePort();
    Cluster cluster = Cluster.of(addresses, 0);
    Process task1 = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
        System.getProperty("java.class.path"), TaskServer.class.getName(), addresses, "1")
        .redirectErrorStream(true).redirectOutput(dir.resolve("task1.log").toFile()).start();
    try {
      String chiefTarget = serve(cluster);
      String workerTarget = serve(Cluster.of(addresses, 2));
      ClusterServer.awaitReachable(cluster, 1, Duration.ofSeconds(120));
      try (GraphSession chief = GraphSession.remote(chiefTarget, ConfigProto.getDefaultInstance(),
          GraphSession.CLUSTER_CLOSE_TIMEOUT)) {
        Ops tf = Ops.create(chief.graph());
        ClusterChief control = new ClusterChief(chief.graph(), tf, cluster, Shape.of(1, 2, 2, 1));
        // both workers' answers to the start: no refusal
        List<Op> answers = new ArrayList<>();
        for (int task = 1; task < 3; task++) {
          Operand<?> reply = TaskQueues.reply(chief.graph(), tf, task);
          answers.add(NativeGraphs.onDevice(chief.graph(), Cluster.device(0),
              () -> tf.io.queueEnqueue(reply, List.of(tf.constant("")))));
        }
        NativeGraphs.placeUnplaced(chief.graph(), Cluster.device(0));
        for (Op answer : answers) {
          chief.session().runner().addTarget(answer).run();
        }
        control.start(chief.session(), new SharedArguments(Map.of("--seed", "0")), 0, Duration.ofSeconds(60));
        task1.destroyForcibly().waitFor();

        Optional<String> unreachable = control.finish(chief.session());

        assertThat(unreachable).hasValueSatisfying(line -> assertThat(line)
            .startsWith("could not tell task 1 (" + cluster.address(1) + ") that training ended (")
            .doesNotContain("task 2"));
      }
      assertThat(tokens(workerTarget, 2)).as("task 2's tokens").containsExactly(0L, TaskQueues.DONE);
    } finally {
      task1.destroyForcibly();
    }
  }

  @Test
  void aRefusalReleasesTheWorkersThatAccepted() {
    String addresses = "127.0.0.1:" + freePort() + ",127.0.0.1:" + freePort() + ",127.0.0.1:" + freePort();
    Cluster cluster = Cluster.of(addresses, 0);
    String chiefTarget = serve(cluster);
    serve(Cluster.of(addresses, 1));
    String workerTarget = serve(Cluster.of(addresses, 2));
    try (GraphSession chief = GraphSession.remote(chiefTarget, ConfigProto.getDefaultInstance(),
        GraphSession.CLUSTER_CLOSE_TIMEOUT)) {
      Ops tf = Ops.create(chief.graph());
      ClusterChief control = new ClusterChief(chief.graph(), tf, cluster, Shape.of(1, 2, 2, 1));
      // task 1 refuses the chief's arguments, task 2 accepts and would start producing
      List<Op> answers = new ArrayList<>();
      List<String> replies = List.of("task 1's --seed 7 differs from the chief's 0", "");
      for (int task = 1; task < 3; task++) {
        Operand<?> reply = TaskQueues.reply(chief.graph(), tf, task);
        String answer = replies.get(task - 1);
        answers.add(NativeGraphs.onDevice(chief.graph(), Cluster.device(0),
            () -> tf.io.queueEnqueue(reply, List.of(tf.constant(answer)))));
      }
      NativeGraphs.placeUnplaced(chief.graph(), Cluster.device(0));
      for (Op answer : answers) {
        chief.session().runner().addTarget(answer).run();
      }

      assertThatThrownBy(() -> control.start(chief.session(), new SharedArguments(Map.of("--seed", "0")), 0,
          Duration.ofSeconds(60))).isInstanceOf(IllegalArgumentException.class)
          .hasMessage("task 1's --seed 7 differs from the chief's 0; every task must run with the same training"
              + " arguments");
    }
    // released at once, not left to wait out its --cluster-timeout for a chief that is gone
    assertThat(tokens(workerTarget, 2)).as("task 2's tokens").containsExactly(0L, TaskQueues.DONE);
  }

  /** The tokens in task {@code task}'s control queue, read as its worker reads them. */
  private static List<Long> tokens(String target, int task) {
    ConfigProto config = ConfigProto.newBuilder().addDeviceFilters("/job:worker/task:" + task).build();
    try (GraphSession worker = GraphSession.remote(target, config, GraphSession.CLUSTER_CLOSE_TIMEOUT)) {
      Ops tf = Ops.create(worker.graph());
      Operand<?> control = TaskQueues.control(worker.graph(), tf, task);
      Operand<?> token = NativeGraphs.onDevice(worker.graph(), Cluster.device(task),
          () -> tf.io.queueDequeue(control, TaskQueues.controlTypes()).components().get(0));
      NativeGraphs.placeUnplaced(worker.graph(), Cluster.device(task));
      List<Long> tokens = new ArrayList<>();
      while (tokens.isEmpty() || tokens.get(tokens.size() - 1) != TaskQueues.DONE) {
        try (Result r = worker.session().runner().fetch(token).setOptions(TaskQueues.deadline(10_000)).run()) {
          tokens.add(((TInt64) r.get(0)).getLong());
        }
      }
      return tokens;
    }
  }

  /** Another process's server: task {@code args[1]} of the cluster {@code args[0]}, until it is killed. */
  public static final class TaskServer {
    public static void main(String[] args) throws InterruptedException {
      ClusterServer.start(Cluster.of(args[0], Integer.parseInt(args[1])));
      Thread.sleep(Long.MAX_VALUE);
    }
  }

  private static String serve(Cluster cluster) {
    var server = ClusterServer.newServer(cluster);
    SERVERS.add(server);
    return TF_ServerTarget(server).getString();
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
