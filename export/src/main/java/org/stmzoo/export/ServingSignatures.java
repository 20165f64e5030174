package org.stmzoo.export;

import java.util.List;

/**
 * The names an exported model promises to its clients (TF Serving, Python, Java): tag, signature keys,
 * input and output names. Changing any of them breaks deployed clients.
 */
public final class ServingSignatures {
  private ServingSignatures() {}

  /** The MetaGraph tag TF Serving loads by default. */
  public static final String TAG = "serve";

  /** TF Serving's Predict API method name. */
  public static final String PREDICT_METHOD = "tensorflow/serving/predict";

  /** float32 {@code [batch, height, width, 3]} RGB in 0-255, resized to the model's size in the graph. */
  public static final String DEFAULT = "serving_default";
  public static final String IMAGES = "images";

  /**
   * string {@code [batch]} of encoded JPEG/PNG/GIF/BMP (24- or 32-bit) images, decoded and center-cropped in the
   * graph.
   */
  public static final String IMAGE_BYTES = "predict_image_bytes";
  public static final String IMAGE_BYTES_INPUT = "image_bytes";

  public static final String PROBABILITIES = "probabilities";
  public static final String LOGITS = "logits";
  /** Indices of the top-k classes (int32, best first). */
  public static final String CLASSES = "classes";
  /** Names of the top-k classes (string, best first). */
  public static final String LABELS = "labels";
  /** The pooled embedding the classifier's head consumes (float {@code [batch, dim]}), for image embeddings. */
  public static final String FEATURES = "features";

  public static final List<String> OUTPUTS = List.of(PROBABILITIES, LOGITS, CLASSES, LABELS, FEATURES);

  /** How many classes {@link #CLASSES} and {@link #LABELS} report (fewer when the model has fewer). */
  public static final int TOP_K = 5;

  /** The SavedModel layout: {@code <version>/saved_model.pb}, {@code <version>/variables/variables.*}. */
  public static final String SAVED_MODEL_FILE = "saved_model.pb";
  public static final String VARIABLES_DIR = "variables";
  public static final String VARIABLES_PREFIX = "variables";
  public static final String MODEL_CARD_FILE = "stmzoo.json";
}
