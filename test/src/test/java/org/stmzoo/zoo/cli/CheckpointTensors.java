package org.stmzoo.zoo.cli;

import java.nio.file.Path;
import java.util.List;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.NdArrays;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** Reads one float variable of an stmzoo checkpoint folder, straight from its TF checkpoint. */
final class CheckpointTensors {
  private CheckpointTensors() {}

  static float[] read(Path folder, String key) {
    try (Graph g = new Graph(); Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      var restored = tf.train.restore(tf.constant(folder.resolve("variables").toString()),
          tf.constant(NdArrays.vectorOfObjects(key)), tf.constant(NdArrays.vectorOfObjects("")),
          List.of(TFloat32.class));
      try (Result r = s.runner().fetch(restored.tensors().get(0)).run()) {
        TFloat32 t = (TFloat32) r.get(0);
        float[] values = new float[(int) t.size()];
        t.asRawTensor().data().asFloats().read(values);
        return values;
      }
    }
  }
}
