package org.stmzoo.zoo.api;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import org.stmzoo.layers.core.Preprocessing;
import org.tensorflow.ndarray.FloatNdArray;

/**
 * A loaded model, ready to classify images and embed them, fine-tune or export. It holds TensorFlow's native
 * graph and session: close it (try-with-resources). Not safe for concurrent use from several threads.
 *
 * <p>Images are given as files, encoded bytes (JPEG, PNG, GIF, BMP, TIFF, WebP, PPM/PGM; a model loaded from an
 * export decodes in its graph, which reads JPEG, PNG, GIF and 24- or 32-bit BMP only) or a {@link BufferedImage},
 * and preprocessed as the model was evaluated: RGB, shorter side resized to {@code size / cropPct}, centre crop,
 * normalised with the model's mean and standard deviation.
 *
 * <p>Every method refuses a null argument at once with a {@link NullPointerException} naming it. After
 * {@link #close()}, the operations that run or build the model ({@code classify}, {@code features}, {@code logits},
 * {@code finetune}, {@code export}) throw {@link IllegalStateException} before doing anything; the accessors
 * ({@code name}, {@code imageSize}, {@code classNames}, {@code preprocessing}) and {@code preprocess} keep working,
 * and closing again does nothing.
 */
public interface StmzooModel extends AutoCloseable {
  /** The registered model name, e.g. {@code u-convnext-micro}. */
  String name();

  /** The side of the square input the network takes. */
  int imageSize();

  /** One name per class, in logit order. */
  List<String> classNames();

  /**
   * How this model takes its input: the mean and standard deviation it normalises with, the evaluation crop
   * ({@code cropPct}) and the resize interpolation; with {@link #imageSize()}, what {@link #preprocess} applies.
   */
  Preprocessing preprocessing();

  /**
   * The image as {@link #logits} takes it: a float32 {@code [imageSize, imageSize, 3]} (RGB, resized, centre-cropped
   * and normalised with {@link #preprocessing()}), one image of a batch, e.g.
   * {@code model.preprocess(path).copyTo(batch.get(i))}. Decoded and transformed in this process, as an in-process
   * model's {@code classify} does, also for a model loaded from an export (whose {@code classify} decodes in its
   * graph).
   */
  FloatNdArray preprocess(Path image) throws IOException;

  FloatNdArray preprocess(byte[] encodedImage) throws IOException;

  FloatNdArray preprocess(BufferedImage image);

  /** The {@code k} most probable classes, best first. */
  List<Prediction> classify(Path image, int k) throws IOException;

  List<Prediction> classify(byte[] encodedImage, int k) throws IOException;

  List<Prediction> classify(BufferedImage image, int k);

  /**
   * The {@code k} most probable classes of each image, in the images' order, from one run of the model over all of
   * them (faster than one call per image): each image {@link #preprocess}ed in this process, then
   * {@link #logits} of the batch. For a model loaded from an export the decoding is this process's, not the
   * export's graph's (the same pixels for PNG, GIF and BMP; JPEG within a level), and it reads every format
   * {@code preprocess} reads. Memory grows with the list: {@code 12 * imageSize^2} bytes an image.
   */
  List<List<Prediction>> classify(List<Path> images, int k) throws IOException;

  /**
   * Logits {@code [batch][classes]} of images already preprocessed as this model takes them: a float32 NHWC batch
   * {@code [batch, imageSize, imageSize, 3]}, resized, cropped and normalised with the model's mean and standard
   * deviation (what {@code predict --npy} feeds; {@link #preprocess} gives one image of it). For an export the batch
   * is mapped back to the 0-255 pixels its
   * {@code serving_default} signature normalises itself.
   *
   * @throws IllegalArgumentException when the batch is not {@code [batch, imageSize, imageSize, 3]}
   */
  float[][] logits(FloatNdArray normalisedBatch);

  /**
   * The image's embedding: the pooled features the classifier's head consumes ({@code logits = head(features)}),
   * e.g. 384 values for u-convnext-micro, 192 for deit-tiny. Distilled models give the mean of their two tokens, as
   * timm does.
   */
  float[] features(Path image) throws IOException;

  float[] features(byte[] encodedImage) throws IOException;

  float[] features(BufferedImage image);

  /**
   * Fine-tunes a copy of this model's weights with the trainer {@code ./stmzoo train} runs (DeiT's recipe). The
   * spec's model and init are this model's (a spec naming another model is refused), fetched with this model's
   * {@link ModelSpec#downloads()} (the spec's are not used); its image size defaults to this model's; a head for another class count is re-initialised. A
   * randomly initialised model must have been initialised with the recipe's seed (training initialises from it).
   * This model is unchanged; load the result's {@link TrainingResult#best()}.
   *
   * @throws IllegalArgumentException this model is randomly initialised with another seed than the recipe's, or
   *     the spec names another model
   * @throws UnsupportedOperationException this model was loaded from an export, which holds an inference graph
   *     only: fine-tune the stmzoo checkpoint it was exported from
   */
  default TrainingResult finetune(TrainSpec spec, TrainingListener listener) throws IOException {
    return finetune(spec, listener, new PrintStream(PrintStream.nullOutputStream()));
  }

  /**
   * As {@link #finetune(TrainSpec, TrainingListener)}, printing the trainer's text lines to {@code log}.
   *
   * @throws UnsupportedOperationException this model was loaded from an export
   */
  TrainingResult finetune(TrainSpec spec, TrainingListener listener, PrintStream log) throws IOException;

  /**
   * Writes a TF Serving SavedModel of this model to {@code baseDir/<version>/} (signatures {@code serving_default}
   * and {@code predict_image_bytes}, model card beside them) and returns that version directory, which
   * {@link Stmzoo#load(Path)} loads back.
   */
  Path export(Path baseDir, long version) throws IOException;

  default Path export(Path baseDir) throws IOException {
    return export(baseDir, 1);
  }

  /** Releases the native graph and session; a second call does nothing. */
  @Override
  void close();
}
