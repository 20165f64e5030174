package org.stmzoo.zoo.predict;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.stmzoo.zoo.checkpoint.StmzooCheckpoint;
import org.stmzoo.zoo.registry.BuiltModel;
import org.stmzoo.zoo.weights.RawTensor;
import org.tensorflow.Graph;
import org.tensorflow.Session;

/** Predicts from an stmzoo checkpoint: the model is rebuilt inference-only from the registry and restored. */
public final class CheckpointPredictor implements Predictor {
  private final StmzooCheckpoint checkpoint;
  private final Graph graph;
  private final BuiltModel built;
  private final Session session;

  private CheckpointPredictor(StmzooCheckpoint checkpoint) {
    this.checkpoint = checkpoint;
    this.graph = new Graph();
    Session opened = null;
    try {
      this.built = BuiltModel.build(checkpoint.entry(), checkpoint.options(), graph, 0L, -1, true);
      opened = new Session(graph);
      checkpoint.restore(opened, built, false);
      this.session = opened;
    } catch (RuntimeException e) {
      // the session first: Graph.close() waits until every session on the graph is closed, so closing only the
      // graph after a failed restore blocked the JVM forever
      if (opened != null) {
        opened.close();
      }
      graph.close();
      throw e;
    }
  }

  /** @param path a checkpoint folder or a training run folder, as {@link StmzooCheckpoint#resolve} takes */
  public static CheckpointPredictor open(Path path) throws IOException {
    return new CheckpointPredictor(StmzooCheckpoint.resolve(path));
  }

  @Override
  public String modelName() {
    return checkpoint.metadata().model();
  }

  @Override
  public List<String> classNames() {
    return checkpoint.metadata().classNames();
  }

  @Override
  public float[][] logits(RawTensor batch) {
    return Logits.compute(session, built, batch);
  }

  @Override
  public void close() {
    session.close();
    graph.close();
  }
}
