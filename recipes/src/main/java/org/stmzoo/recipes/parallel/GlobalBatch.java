package org.stmzoo.recipes.parallel;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.io.QueueDequeue;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * A training step's global batch, images and labels, as its graph reads them. Without a cluster it is what this
 * process feeds. In a cluster ({@link Replicas#fedByTasks()}) this process feeds replica 0's slice and every other
 * task's slice comes from that task's data queue ({@link TaskQueues}, filled by its {@link ShardProducer}),
 * dequeued on the task; the slices are joined in task order, so that replica i's slice of the batch is task i's.
 */
public record GlobalBatch(Operand<TFloat32> images, Operand<TInt32> labels) {
  /**
   * @param tf the step's scope: the queues go in its {@code cluster} sub-scope, the dequeues and joins in it
   * @param fedImages this process's images {@code [N, H, W, C]}, H, W and C known
   * @param batchSize the global batch, which must split evenly over the replicas
   */
  public static GlobalBatch of(Graph graph, Ops tf, Replicas replicas, Operand<TFloat32> fedImages,
      Operand<TInt32> fedLabels, int batchSize) {
    if (!replicas.fedByTasks()) {
      return new GlobalBatch(fedImages, fedLabels);
    }
    Shape image = fedImages.shape();
    Shape slice = Shape.of(replicas.slice(batchSize), image.get(1), image.get(2), image.get(3));
    List<Operand<TFloat32>> imageParts = new ArrayList<>(List.of(fedImages));
    List<Operand<TInt32>> labelParts = new ArrayList<>(List.of(fedLabels));
    for (int task = 1; task < replicas.count(); task++) {
      Operand<?> queue = TaskQueues.data(graph, tf, task, slice);
      QueueDequeue dequeued = replicas.onReplica(graph, task,
          () -> tf.io.queueDequeue(queue, TaskQueues.dataTypes()));
      @SuppressWarnings("unchecked") // the component types are TaskQueues.dataTypes()
      Operand<TFloat32> images = (Operand<TFloat32>) dequeued.components().get(0);
      @SuppressWarnings("unchecked")
      Operand<TInt32> labels = (Operand<TInt32>) dequeued.components().get(1);
      imageParts.add(images);
      labelParts.add(labels);
    }
    return new GlobalBatch(tf.concat(imageParts, tf.constant(0)), tf.concat(labelParts, tf.constant(0)));
  }
}
