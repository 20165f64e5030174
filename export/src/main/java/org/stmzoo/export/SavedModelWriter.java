package org.stmzoo.export;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.stmzoo.layers.core.CheckpointOps;
import org.stmzoo.layers.core.ModelVariable;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.TensorFlow;
import org.tensorflow.op.Ops;
import org.tensorflow.proto.CollectionDef;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.SavedModel;
import org.tensorflow.proto.SaverDef;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.proto.VariableDef;
import org.tensorflow.types.TString;

/**
 * Writes the SavedModel files from a live session. TF Java's own exporter builds its SaverDef from ref
 * variables only, so for our resource variables we assemble the protos here: one MetaGraphDef tagged
 * {@code serve} with the graph, the signatures, a SaverDef naming our SaveV2/RestoreV2 ops (TF's loader
 * feeds {@code variables/variables} to the filename tensor and runs the restore op) and the
 * {@code variables}/{@code trainable_variables} collections Python's TF1 loader uses to rebuild variables.
 */
public final class SavedModelWriter {
  private final Graph graph;
  private final CheckpointOps checkpoint;
  private final Operand<TString> saveTensor;

  /** Adds the save tensor TF's SaverDef convention asks for; build before the graph is serialised. */
  public SavedModelWriter(Graph graph, Ops tf, CheckpointOps checkpoint) {
    this.graph = graph;
    this.checkpoint = checkpoint;
    // Python's Saver: the filename, passed through once the save ran.
    this.saveTensor = tf.withSubScope("save").withName("control_dependency")
        .withControlDependencies(List.of(checkpoint.save())).identity(checkpoint.prefix());
  }

  /** Writes {@code directory/saved_model.pb} and {@code directory/variables/} (directory must be empty). */
  public void write(Path directory, Session session, Map<String, SignatureDef> signatures) throws IOException {
    Path variables = directory.resolve(ServingSignatures.VARIABLES_DIR);
    Files.createDirectories(variables);
    checkpoint.save(session, variables.resolve(ServingSignatures.VARIABLES_PREFIX).toString());
    try (OutputStream out = Files.newOutputStream(directory.resolve(ServingSignatures.SAVED_MODEL_FILE))) {
      savedModel(signatures).writeTo(out);
    }
  }

  SavedModel savedModel(Map<String, SignatureDef> signatures) {
    MetaGraphDef.Builder meta = MetaGraphDef.newBuilder()
        .setMetaInfoDef(MetaGraphDef.MetaInfoDef.newBuilder()
            .addTags(ServingSignatures.TAG)
            .setTensorflowVersion(TensorFlow.version()))
        .setGraphDef(graph.toGraphDef())
        .setSaverDef(saverDef())
        .putAllSignatureDef(signatures)
        .putCollectionDef("variables", variableCollection(checkpoint.variables()))
        .putCollectionDef("trainable_variables",
            variableCollection(checkpoint.variables().stream().filter(ModelVariable::trainable).toList()));
    return SavedModel.newBuilder().setSavedModelSchemaVersion(1).addMetaGraphs(meta).build();
  }

  private SaverDef saverDef() {
    return SaverDef.newBuilder()
        .setFilenameTensorName(tensorName(checkpoint.prefix()))
        .setSaveTensorName(tensorName(saveTensor))
        .setRestoreOpName(checkpoint.restore().op().name())
        .setMaxToKeep(1)
        .setSharded(false)
        .setVersion(SaverDef.CheckpointFormatVersion.V2)
        .build();
  }

  private static CollectionDef variableCollection(List<ModelVariable> variables) {
    CollectionDef.BytesList.Builder list = CollectionDef.BytesList.newBuilder();
    for (ModelVariable v : variables) {
      list.addValue(VariableDef.newBuilder()
          .setVariableName(tensorName(v.handle()))
          .setInitializerName(v.initializer().op().name())
          .setSnapshotName(tensorName(v.value()))
          .setIsResource(true)
          .setTrainable(v.trainable())
          .build()
          .toByteString());
    }
    return CollectionDef.newBuilder().setBytesList(list).build();
  }

  static String tensorName(Operand<?> operand) {
    return operand.op().name() + ":" + operand.asOutput().index();
  }
}
