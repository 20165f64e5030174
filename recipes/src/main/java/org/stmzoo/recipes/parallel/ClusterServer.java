package org.stmzoo.recipes.parallel;

import static org.tensorflow.internal.c_api.global.tensorflow.TF_NewServer;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_ServerStart;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_ServerTarget;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.PointerScope;
import org.tensorflow.internal.c_api.TF_Server;
import org.tensorflow.internal.c_api.TF_Status;

/**
 * This process's TensorFlow gRPC server (TF_NewServer / TF_ServerStart): it serves the other tasks' requests
 * and is the master of this process's sessions. TF's server has no clean shutdown; it lives as long as the
 * process, which ends when training does.
 */
public final class ClusterServer {
  private static TF_Server server; // never deleted: see above

  private ClusterServer() {}

  /** Starts the server of {@code cluster}'s task; returns the session target ({@code grpc://...}). */
  public static synchronized String start(Cluster cluster) {
    if (server != null) {
      throw new IllegalStateException("this process already runs a TF server");
    }
    server = newServer(cluster);
    return TF_ServerTarget(server).getString();
  }

  /** A started server of {@code cluster}'s task, for the caller to keep (tests run several in one process). */
  static TF_Server newServer(Cluster cluster) {
    byte[] def = cluster.serverDef().toByteArray();
    try (PointerScope scope = new PointerScope()) {
      TF_Status status = TF_Status.newStatus();
      TF_Server s = TF_NewServer(new BytePointer(def), def.length, status);
      try {
        status.throwExceptionIfNotOK();
      } catch (RuntimeException e) {
        throw new IllegalStateException("cannot start the TF server of task " + cluster.taskIndex() + " on "
            + cluster.address(cluster.taskIndex()) + ": " + e.getMessage(), e);
      }
      TF_ServerStart(s, status);
      status.throwExceptionIfNotOK();
      return s;
    }
  }

  /**
   * Waits until {@code task}'s port accepts connections, or fails after {@code timeout} with a message naming
   * the task: TF's own session creation would wait for a missing task forever.
   */
  public static void awaitReachable(Cluster cluster, int task, Duration timeout) {
    String[] hostPort = cluster.address(task).split(":");
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress(hostPort[0], Integer.parseInt(hostPort[1])), 1000);
        return;
      } catch (IOException notYet) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("task " + task + " (" + cluster.address(task) + ") is not reachable after "
              + timeout.toSeconds() + " s: is its process running?");
        }
        try {
          Thread.sleep(250);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted while waiting for task " + task, e);
        }
      }
    }
  }
}
