package org.stmzoo.recipes.parallel;

import java.time.Duration;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.proto.ConfigProto;

/**
 * A graph and its session, closed together. A session on a cluster is closed with a deadline: TF's master tries
 * to delete its sessions on every task when it closes, and waits forever for a task that has died; past the
 * deadline both are left to the end of the process (the error that ended training still reaches the user).
 */
public final class GraphSession implements AutoCloseable {
  /** How long a cluster task waits for its session to close before leaving it to the end of the process. */
  public static final Duration CLUSTER_CLOSE_TIMEOUT = Duration.ofSeconds(10);

  private final Graph graph;
  private final Session session;
  private final Duration closeTimeout;

  private GraphSession(Graph graph, Session session, Duration closeTimeout) {
    this.graph = graph;
    this.session = session;
    this.closeTimeout = closeTimeout;
  }

  /** An in-process session. */
  public static GraphSession local(ConfigProto config) {
    Graph graph = new Graph();
    try {
      return new GraphSession(graph, new Session(graph, config), null);
    } catch (RuntimeException e) {
      graph.close();
      throw e;
    }
  }

  /** A session whose master is {@code target} ({@code grpc://...}), closed within {@code closeTimeout}. */
  public static GraphSession remote(String target, ConfigProto config, Duration closeTimeout) {
    Graph graph = new Graph();
    try {
      return new GraphSession(graph, NativeGraphs.session(graph, target, config), closeTimeout);
    } catch (RuntimeException e) {
      graph.close();
      throw e;
    }
  }

  public Graph graph() {
    return graph;
  }

  public Session session() {
    return session;
  }

  @Override
  public void close() {
    if (closeTimeout == null) {
      try (graph) {
        session.close();
      }
      return;
    }
    Thread closing = new Thread(() -> {
      try (graph) {
        session.close();
      }
    }, "stmzoo-session-close");
    closing.setDaemon(true);
    closing.start();
    try {
      closing.join(closeTimeout.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (closing.isAlive()) {
      System.err.println("warning: the cluster session did not close within " + closeTimeout.toSeconds()
          + " s (a task is gone); leaving it to the end of the process");
    }
  }
}
