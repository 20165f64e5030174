package org.stmzoo.zoo.api;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * What the STM analyses ({@link Analyses}) run on, as {@code ./stmzoo analyze} takes it: the models, the images
 * and the output folder. How each analysis runs (images, sizes, attacks...) is its own settings record, passed
 * beside this one.
 *
 * @param models the models with their weights, at least one, analysed in this order and compared side by side
 *     when several. A checkpoint ({@link Weights#checkpoint}, {@link Weights#checkpointEma}) and a release
 *     ({@link Weights#pretrained}, fetched through the spec's {@link ModelSpec#downloads}, with its progress on
 *     standard error) bring their classes; a random initialisation ({@link Weights#random(long)}) has
 *     {@code randomInitClasses} classes. {@link ModelSpec#imageSize} is the size a model is opened at (null: its
 *     weights' own); the ERF opens every model at its own setting's size instead. {@link ModelSpec#classNames} and
 *     a {@link ModelSpec#speed} are refused: the analyses read the weights' classes (a random initialisation names
 *     none) and build their own graphs
 * @param data the images
 * @param output the folder the numbers and figures are written into (created if missing): with one model its
 *     results, but a report's, which go into {@code output/LABEL/}; with several each model's in
 *     {@code output/LABEL/} (the model's name, qualified where two share it) and the comparisons in {@code output/}
 * @param randomInitClasses the class count of the models with random weights ({@code --num-classes}); null for the
 *     data's, else 1000. Refused when no model has random weights
 * @param progressBar a console progress bar on standard error (as {@code ./stmzoo analyze} shows), else none
 */
public record AnalysisSpec(List<ModelSpec> models, AnalysisData data, Path output, Integer randomInitClasses,
    boolean progressBar) {
  public AnalysisSpec {
    Objects.requireNonNull(models, "AnalysisSpec.models");
    Objects.requireNonNull(data, "AnalysisSpec.data");
    Objects.requireNonNull(output, "AnalysisSpec.output");
    if (models.isEmpty()) {
      throw new IllegalArgumentException("AnalysisSpec.models is empty: name at least one model");
    }
    for (int i = 0; i < models.size(); i++) {
      checkModel(models.get(i), "AnalysisSpec.models[" + i + "]");
    }
    models = List.copyOf(models);
    if (randomInitClasses != null) {
      if (randomInitClasses < 1) {
        throw new IllegalArgumentException("AnalysisSpec.randomInitClasses must be at least 1, got "
            + randomInitClasses);
      }
      if (models.stream().noneMatch(m -> m.weights() instanceof Weights.Random)) {
        throw new IllegalArgumentException("AnalysisSpec.randomInitClasses: no model has random weights (the"
            + " others bring their classes)");
      }
    }
  }

  private static void checkModel(ModelSpec model, String field) {
    if (model == null) {
      throw new IllegalArgumentException(field + " is null");
    }
    // refused rather than dropped in silence: the analyses open each model in graphs of their own
    if (!model.speed().equals(InferenceSpeed.DEFAULT)) {
      throw new IllegalArgumentException(field + ".speed: the analyses do not take an InferenceSpeed ("
          + model.speed() + ")");
    }
    // the analyses check the data against the weights' own class names, which renaming would hide; a random
    // initialisation's names would be compared with nothing, so only its count is taken
    if (model.classNames() != null) {
      throw new IllegalArgumentException(field + ".classNames: " + (model.weights() instanceof Weights.Random
          ? "a random initialisation's classes are not named in the analyses; give their count as"
              + " AnalysisSpec.randomInitClasses"
          : "the analyses read the classes of " + model.weights() + ", which they do not rename"));
    }
  }

  /** One model on {@code data}, without a progress bar. */
  public static AnalysisSpec of(ModelSpec model, AnalysisData data, Path output) {
    return of(List.of(Objects.requireNonNull(model, "model")), data, output);
  }

  /** Several models compared on {@code data}, without a progress bar. */
  public static AnalysisSpec of(List<ModelSpec> models, AnalysisData data, Path output) {
    return new AnalysisSpec(models, data, output, null, false);
  }

  /** The models to analyse ({@code --model}, {@code --models} with their weight flags), at least one. */
  public AnalysisSpec withModels(List<ModelSpec> value) {
    return new AnalysisSpec(value, data, output, randomInitClasses, progressBar);
  }

  /** The images ({@code --data}, or {@code --npy} with {@code --labels}). */
  public AnalysisSpec withData(AnalysisData value) {
    return new AnalysisSpec(models, value, output, randomInitClasses, progressBar);
  }

  /** The folder the numbers and figures go into ({@code --output}). */
  public AnalysisSpec withOutput(Path value) {
    return new AnalysisSpec(models, data, value, randomInitClasses, progressBar);
  }

  /** The class count of the random initialisations ({@code --num-classes}); null for the data's, else 1000. */
  public AnalysisSpec withRandomInitClasses(Integer value) {
    return new AnalysisSpec(models, data, output, value, progressBar);
  }

  /** A console progress bar on standard error ({@code true}, as the CLI shows it) or none. */
  public AnalysisSpec withProgressBar(boolean value) {
    return new AnalysisSpec(models, data, output, randomInitClasses, value);
  }
}
