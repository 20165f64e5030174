package org.stmzoo.layers.basic;

import static org.stmzoo.layers.core.ConfigChecks.finite;
import static org.stmzoo.layers.core.ConfigChecks.positive;

import java.util.ArrayList;
import java.util.List;
import org.stmzoo.layers.core.BandedLayer;
import org.stmzoo.layers.core.Initializer;
import org.stmzoo.layers.core.LayerScope;
import org.stmzoo.layers.core.MapBands;
import org.stmzoo.layers.core.ModelVariable;
import org.stmzoo.layers.core.Shapes;
import org.stmzoo.layers.core.VariableRole;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;

/**
 * A learnable absolute position embedding added to an NHWC map: variable {@code pos_embed [1, H, W, C]}
 * sized for the built image size (the reference's {@code [1, C, H, W]} transposed). Loading weights trained
 * at another size means resampling them to {@code [H, W]} first; that is the importer's job (the reference
 * interpolates bilinearly with align_corners=True when loading).
 *
 * @param decay whether AdamW decays it (timm decays a 4-D embedding unless the model lists it as no-decay)
 */
public final class MapPositionEmbedding implements BandedLayer {
  public record Config(int height, int width, int dim, float initStd, boolean decay) {
    public Config {
      positive("MapPositionEmbedding.Config.height", height);
      positive("MapPositionEmbedding.Config.width", width);
      positive("MapPositionEmbedding.Config.dim", dim);
      finite("MapPositionEmbedding.Config.initStd", initStd);
    }
  }

  private final Ops tf;
  private final ModelVariable embedding;

  public MapPositionEmbedding(LayerScope scope, Config config) {
    this.tf = scope.tf();
    this.embedding = scope.variable("pos_embed", Shape.of(1, config.height(), config.width(), config.dim()),
        Initializer.truncatedNormal(config.initStd()), VariableRole.EMBEDDING, config.decay());
  }

  @Override
  public Operand<TFloat32> call(Operand<TFloat32> input, Operand<TBool> training) {
    if (!input.shape().tail().equals(embedding.shape().tail())) {
      throw new IllegalArgumentException("position embedding " + embedding.shape() + " does not fit " + input.shape());
    }
    return tf.math.add(input, embedding.value());
  }

  /** Each band plus its rows of the embedding. */
  @Override
  public List<Operand<TFloat32>> callBands(List<Operand<TFloat32>> bands, Operand<TBool> training) {
    List<Operand<TFloat32>> out = new ArrayList<>(bands.size());
    int top = 0;
    for (Operand<TFloat32> band : bands) {
      int rows = Shapes.dim(band, 1);
      out.add(tf.math.add(band, MapBands.rows(tf, embedding.value(), top, top + rows)));
      top += rows;
    }
    if (top != embedding.shape().get(1)) {
      throw new IllegalArgumentException("bands of " + top + " rows do not fit position embedding " + embedding.shape());
    }
    return out;
  }

  /** Each band adds the embedding's rows at its own offset and height. */
  @Override
  public boolean takesUnevenBands() {
    return true;
  }
}
