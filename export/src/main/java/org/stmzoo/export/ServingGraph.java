package org.stmzoo.export;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.stmzoo.layers.core.BatchStreams;
import org.stmzoo.layers.core.ClassifierOutput;
import org.stmzoo.layers.core.ImageClassifier;
import org.stmzoo.layers.core.ModelGraph;
import org.stmzoo.layers.core.Shapes;
import org.stmzoo.layers.core.Training;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.NdArrays;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.nn.TopK;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.proto.TensorInfo;
import org.tensorflow.proto.TensorShapeProto;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TString;

/**
 * The serving front and back of a classifier, built into an inference-only {@link ModelGraph}.
 *
 * <pre>
 * image_bytes [n] --decode, resize, crop (while loop)--> [n, S, S, 3] --+
 *                                                                        | default
 * images [b, h, w, 3] (PlaceholderWithDefault) <-------------------------+
 *   --> shape check --> resize to S x S if needed --> normalise --> classifier --> logits
 *   --> softmax --> probabilities
 *   --> top-k (of the logits) --> classes --> label lookup --> labels
 * </pre>
 * Both signatures share one copy of the network: {@code images} is a PlaceholderWithDefault whose default is
 * the decoded batch. Feeding {@code images} prunes the decoder away; feeding {@code image_bytes} leaves
 * {@code images} unfed, so it takes the decoded batch. The image-bytes signature is therefore, by
 * construction, the float signature applied to the decoded, cropped image.
 */
public record ServingGraph(Placeholder<TString> imageBytes, Operand<TFloat32> images, Operand<TFloat32> logits,
    Operand<TFloat32> probabilities, Operand<TInt32> classes, Operand<TString> labels, Operand<TFloat32> features) {

  public static ServingGraph build(ModelGraph model, ImageClassifier classifier, ImagePipeline pipeline,
      List<String> classNames) {
    Ops tf = model.tf();
    if (Training.staticValue(model.training()).orElse(true)) {
      throw new IllegalArgumentException("export needs an inference-only ModelGraph (ModelGraph.inferenceOnly)");
    }
    int size = pipeline.size();
    Placeholder<TString> imageBytes = tf.withName(ServingSignatures.IMAGE_BYTES_INPUT)
        .placeholder(TString.class, Placeholder.shape(Shape.of(-1)));
    Ops decoding = tf.withSubScope("decode");
    Operand<TString> checkedBytes = checkImageBytes(decoding, imageBytes);
    Operand<TFloat32> decoded = StringBatchMap.map(model.graph(), decoding, checkedBytes, Shape.of(size, size, 3),
        pipeline::decodeAndCrop, "decode_loop");
    Operand<TFloat32> images = tf.withName(ServingSignatures.IMAGES)
        .placeholderWithDefault(decoded, Shape.of(-1, -1, -1, 3));

    Ops pre = tf.withSubScope("preprocess");
    Operand<TFloat32> input = pipeline.normalise(pre,
        pipeline.resizeIfNeeded(pre, pipeline.checkImages(pre, images)));
    ClassifierOutput output = BatchStreams.call(model, classifier, input);
    Operand<TFloat32> rawLogits = output.logits();
    int classes = Shapes.dim(rawLogits, -1);
    if (classes != classNames.size()) {
      throw new IllegalArgumentException("the model has " + classes + " classes but " + classNames.size()
          + " class names were given");
    }

    Ops out = tf.withSubScope("serving");
    Operand<TFloat32> logits = out.withName(ServingSignatures.LOGITS).identity(rawLogits);
    Operand<TFloat32> probabilities = out.withName(ServingSignatures.PROBABILITIES).nn.softmax(logits);
    // ranked by logit, as ExportModel.classify ranks: probabilities that round to a tie (or underflow to 0) would
    // come in index order
    TopK<TFloat32, TInt32> top = out.nn.topK(logits, out.constant(Math.min(ServingSignatures.TOP_K, classes)),
        TInt32.class);
    Operand<TInt32> topClasses = out.withName(ServingSignatures.CLASSES).identity(top.indices());
    Operand<TString> names = out.withName("class_names")
        .constant(NdArrays.vectorOfObjects(classNames.toArray(String[]::new)));
    Operand<TString> labels = out.withName(ServingSignatures.LABELS).gather(names, topClasses, out.constant(0));
    Operand<TFloat32> features = out.withName(ServingSignatures.FEATURES).identity(output.features());
    return new ServingGraph(imageBytes, images, logits, probabilities, topClasses, labels, features);
  }

  /** A clear failure for a non-vector or empty {@code image_bytes} feed (before the loop would index it). */
  private static Operand<TString> checkImageBytes(Ops tf, Operand<TString> bytes) {
    Operand<TBool> ok = tf.math.logicalAnd(tf.math.equal(tf.rank(bytes), tf.constant(1)),
        tf.math.greater(tf.size(bytes), tf.constant(0)));
    var check = tf.assertThat(ok, List.of(tf.constant(
        "image_bytes must be a non-empty string vector [batch] of encoded images; got shape"), tf.shape(bytes)));
    return tf.withControlDependencies(List.of(check)).identity(bytes);
  }

  /** The two signatures, keyed as TF Serving expects. */
  public Map<String, SignatureDef> signatureDefs() {
    Map<String, SignatureDef> defs = new LinkedHashMap<>();
    defs.put(ServingSignatures.DEFAULT, signature(ServingSignatures.IMAGES, images));
    defs.put(ServingSignatures.IMAGE_BYTES, signature(ServingSignatures.IMAGE_BYTES_INPUT, imageBytes));
    return defs;
  }

  private SignatureDef signature(String inputName, Operand<?> input) {
    return SignatureDef.newBuilder()
        .setMethodName(ServingSignatures.PREDICT_METHOD)
        .putInputs(inputName, tensorInfo(input))
        .putOutputs(ServingSignatures.PROBABILITIES, tensorInfo(probabilities))
        .putOutputs(ServingSignatures.LOGITS, tensorInfo(logits))
        .putOutputs(ServingSignatures.CLASSES, tensorInfo(classes))
        .putOutputs(ServingSignatures.LABELS, tensorInfo(labels))
        .putOutputs(ServingSignatures.FEATURES, tensorInfo(features))
        .build();
  }

  static TensorInfo tensorInfo(Operand<?> operand) {
    Shape shape = operand.shape();
    TensorShapeProto.Builder proto = TensorShapeProto.newBuilder();
    if (shape.isUnknown()) {
      proto.setUnknownRank(true);
    } else {
      for (long d : shape.asArray()) {
        proto.addDim(TensorShapeProto.Dim.newBuilder().setSize(d));
      }
    }
    return TensorInfo.newBuilder()
        .setName(SavedModelWriter.tensorName(operand))
        .setDtype(operand.asOutput().dataType())
        .setTensorShape(proto)
        .build();
  }
}
