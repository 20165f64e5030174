package org.stmzoo.zoo.api;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import org.stmzoo.datasets.ImageDecoding;
import org.stmzoo.datasets.LabeledImage;
import org.stmzoo.datasets.pipeline.SampleTransform;
import org.stmzoo.datasets.pipeline.TransformConfig;
import org.stmzoo.layers.core.Preprocessing;
import org.tensorflow.ndarray.FloatNdArray;
import org.tensorflow.ndarray.NdArrays;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;

/**
 * What both kinds of loaded model do alike, written once so that they cannot differ: every public operation refuses
 * a null argument ({@link NullPointerException} naming it) and, once the model is closed, an operation that runs or
 * builds it ({@link IllegalStateException}), both before any work; then it hands over to the implementation. Both
 * preprocess an image for {@link #logits} with the evaluation transform of their own {@link Preprocessing}.
 *
 * @param <I> the form an image takes on its way into the model: decoded pixels in process, encoded bytes for an
 *     export, whose graph decodes them
 */
abstract class LoadedModel<I> implements StmzooModel {
  private final int imageSize;
  private final Preprocessing preprocessing;
  private final SampleTransform transform;
  private boolean closed;

  LoadedModel(int imageSize, Preprocessing preprocessing) {
    this.imageSize = imageSize;
    this.preprocessing = preprocessing;
    this.transform = new SampleTransform(TransformConfig.eval(imageSize, preprocessing.cropPct(),
        preprocessing.mean(), preprocessing.std(), true, preprocessing.interpolation()), 3);
  }

  /** The image file read into the form the model takes. */
  abstract I read(Path image) throws IOException;

  abstract I read(byte[] encodedImage) throws IOException;

  abstract I read(BufferedImage image);

  abstract float[] logitsOf(I image);

  abstract float[] featuresOf(I image);

  /** {@link #logits(FloatNdArray)} of a batch already checked to be {@code [batch, imageSize, imageSize, 3]}. */
  abstract float[][] batchLogits(FloatNdArray normalisedBatch);

  abstract TrainingResult train(TrainSpec spec, TrainingListener listener, PrintStream log) throws IOException;

  abstract Path write(Path baseDir, long version) throws IOException;

  /** Releases the native resources; called once. */
  abstract void release();

  @Override
  public final int imageSize() {
    return imageSize;
  }

  @Override
  public final Preprocessing preprocessing() {
    return preprocessing;
  }

  @Override
  public final FloatNdArray preprocess(Path image) throws IOException {
    return preprocessed(ImageDecoding.decodeRgb(Objects.requireNonNull(image, "image"), 0));
  }

  @Override
  public final FloatNdArray preprocess(byte[] encodedImage) throws IOException {
    return preprocessed(ImageDecoding.decodeRgb(Objects.requireNonNull(encodedImage, "encodedImage"), "image bytes",
        0));
  }

  @Override
  public final FloatNdArray preprocess(BufferedImage image) {
    return preprocessed(ImageDecoding.of(Objects.requireNonNull(image, "image"), 0));
  }

  private FloatNdArray preprocessed(LabeledImage image) {
    float[] pixels = new float[transform.valuesPerImage()];
    transform.transformInto(image, new Random(0), pixels, 0); // the evaluation transform draws nothing
    return NdArrays.wrap(Shape.of(imageSize, imageSize, 3), DataBuffers.of(pixels, false, false));
  }

  @Override
  public final List<Prediction> classify(Path image, int k) throws IOException {
    return top(logitsOf(read(checked(image))), k);
  }

  @Override
  public final List<Prediction> classify(byte[] encodedImage, int k) throws IOException {
    return top(logitsOf(read(checked(encodedImage, "encodedImage"))), k);
  }

  @Override
  public final List<Prediction> classify(BufferedImage image, int k) {
    return top(logitsOf(read(checked(image))), k);
  }

  @Override
  public final List<List<Prediction>> classify(List<Path> images, int k) throws IOException {
    for (Path image : checked(images, "images")) {
      Objects.requireNonNull(image, "an image of images");
    }
    FloatNdArray batch = NdArrays.ofFloats(Shape.of(images.size(), imageSize, imageSize, 3));
    for (int i = 0; i < images.size(); i++) {
      preprocess(images.get(i)).copyTo(batch.get(i));
    }
    List<List<Prediction>> predictions = new ArrayList<>();
    for (float[] logits : images.isEmpty() ? new float[0][] : batchLogits(batch)) {
      predictions.add(top(logits, k));
    }
    return predictions;
  }

  private List<Prediction> top(float[] logits, int k) {
    return Prediction.top(logits, classNames(), k);
  }

  @Override
  public final float[][] logits(FloatNdArray normalisedBatch) {
    NormalisedBatches.check(checked(normalisedBatch, "normalisedBatch"), name(), imageSize());
    return batchLogits(normalisedBatch);
  }

  @Override
  public final float[] features(Path image) throws IOException {
    return featuresOf(read(checked(image)));
  }

  @Override
  public final float[] features(byte[] encodedImage) throws IOException {
    return featuresOf(read(checked(encodedImage, "encodedImage")));
  }

  @Override
  public final float[] features(BufferedImage image) {
    return featuresOf(read(checked(image)));
  }

  @Override
  public final TrainingResult finetune(TrainSpec spec, TrainingListener listener, PrintStream log)
      throws IOException {
    Objects.requireNonNull(spec, "spec");
    Objects.requireNonNull(listener, "listener");
    Objects.requireNonNull(log, "log");
    requireOpen();
    return train(spec, listener, log);
  }

  @Override
  public final Path export(Path baseDir, long version) throws IOException {
    return write(checked(baseDir, "baseDir"), version);
  }

  @Override
  public final void close() {
    if (!closed) {
      closed = true;
      release();
    }
  }

  private <T> T checked(T image) {
    return checked(image, "image");
  }

  /** {@code argument}, once it is known not null and this model open. */
  private <T> T checked(T argument, String parameter) {
    Objects.requireNonNull(argument, parameter);
    requireOpen();
    return argument;
  }

  private void requireOpen() {
    if (closed) {
      // rather than TF's "close() has been called on the Graph" from deep inside, or an export that still works
      throw new IllegalStateException("the model " + name() + " is closed");
    }
  }
}
