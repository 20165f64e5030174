package org.stmzoo.zoo.api;

import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.stmzoo.datasets.ImageDataset;
import org.stmzoo.layers.core.Preprocessing;
import org.stmzoo.zoo.analysis.AnalysisImages;
import org.stmzoo.zoo.weights.NpyFile;
import org.stmzoo.zoo.weights.RawTensor;

/**
 * An {@link AnalysisData} read once for all models: the images each model reads, in [0, 1]. A dataset gives every
 * model the same {@link AnalysisImages} object; a normalised batch is mapped back with each model's own mean and
 * std, so each model gets its own.
 */
final class LoadedAnalysisData {
  private final Function<Preprocessing, AnalysisImages> forModel;
  private final List<String> classNames;

  private LoadedAnalysisData(Function<Preprocessing, AnalysisImages> forModel, List<String> classNames) {
    this.forModel = forModel;
    this.classNames = classNames;
  }

  static LoadedAnalysisData read(AnalysisData data) throws IOException {
    if (data instanceof AnalysisData.Dataset d) {
      ImageDataset dataset = DataSpec.evaluationSet(d.spec());
      // all of it: each analysis takes its images from here, the ERF reading on past images it must skip
      AnalysisImages images = AnalysisImages.of(dataset);
      return new LoadedAnalysisData(preprocessing -> images, dataset.classNames());
    }
    AnalysisData.Npy npy = (AnalysisData.Npy) data;
    RawTensor batch = NpyFile.read(npy.batch());
    Optional<RawTensor> labels = npy.labels() == null ? Optional.empty() : Optional.of(NpyFile.read(npy.labels()));
    return new LoadedAnalysisData(p -> AnalysisImages.ofNormalised(batch, labels, p.mean(), p.std(),
        npy.batch().toString()), null);
  }

  /** The images a model with {@code preprocessing} reads. */
  AnalysisImages forModel(Preprocessing preprocessing) {
    return forModel.apply(preprocessing);
  }

  /** The dataset's classes; null for a normalised batch, which does not name them. */
  List<String> classNames() {
    return classNames;
  }
}
