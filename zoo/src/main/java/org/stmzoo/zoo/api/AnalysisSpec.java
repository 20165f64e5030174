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
 *     ({@link Weights#pretrained}, fetched through the spec's {@link ModelSpec#downloads}) bring their classes; a
 *     random initialisation ({@link Weights#random(long)}) has as many classes as its {@link ModelSpec#classNames}
 *     name (their names are not compared with the data's), else as many as the data's classes, else 1000.
 *     {@link ModelSpec#imageSize} is the size a model is opened at (null: its weights' own); the ERF opens every
 *     model at its own setting's size instead. Class names for a checkpoint or a release, and a
 *     {@link ModelSpec#speed}, are refused: the analyses read the weights' classes and build their own graphs
 * @param data the images
 * @param output the folder the numbers and figures are written into (created if missing): with one model its
 *     results, with several each model's in {@code output/LABEL/} (the model's name, qualified where two share it)
 *     and the comparisons in {@code output/}
 * @param progressBar a console progress bar on standard error (as {@code ./stmzoo analyze} shows), else none
 */
public record AnalysisSpec(List<ModelSpec> models, AnalysisData data, Path output, boolean progressBar) {
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
    // the analyses check the data against the weights' own class names, which renaming would hide
    if (model.classNames() != null && !(model.weights() instanceof Weights.Random)) {
      throw new IllegalArgumentException(field + ".classNames: the analyses read the classes of "
          + model.weights() + ", which they do not rename");
    }
  }

  /** One model on {@code data}, without a progress bar. */
  public static AnalysisSpec of(ModelSpec model, AnalysisData data, Path output) {
    return of(List.of(Objects.requireNonNull(model, "model")), data, output);
  }

  /** Several models compared on {@code data}, without a progress bar. */
  public static AnalysisSpec of(List<ModelSpec> models, AnalysisData data, Path output) {
    return new AnalysisSpec(models, data, output, false);
  }

  public AnalysisSpec withModels(List<ModelSpec> value) {
    return new AnalysisSpec(value, data, output, progressBar);
  }

  public AnalysisSpec withData(AnalysisData value) {
    return new AnalysisSpec(models, value, output, progressBar);
  }

  public AnalysisSpec withOutput(Path value) {
    return new AnalysisSpec(models, data, value, progressBar);
  }

  /** A console progress bar on standard error ({@code true}, as the CLI shows it) or none. */
  public AnalysisSpec withProgressBar(boolean value) {
    return new AnalysisSpec(models, data, output, value);
  }
}
