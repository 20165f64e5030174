package org.stmzoo.examples;

import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import org.stmzoo.zoo.api.Catalogue;
import org.stmzoo.zoo.api.ModelInfo;
import org.stmzoo.zoo.api.ModelMeasurement;
import org.stmzoo.zoo.api.ModelShape;
import org.stmzoo.zoo.api.ReleaseInfo;

/**
 * What each spatial token mixer costs in the unified skeleton: parameters and GMACs of the U-models of one size,
 * measured on their built graphs ({@code ./stmzoo list 'u-*-micro'}), and which of them have published weights.
 * {@code CompareMixerCosts 'u-*-tiny' 224} measures another size; without arguments the micro models at 64x64
 * (what CI runs, to keep it quick).
 */
public final class CompareMixerCosts {
  private CompareMixerCosts() {}

  public static void main(String[] args) throws Exception {
    String glob = args.length > 0 ? args[0] : "u-*-micro";
    int size = args.length > 1 ? Integer.parseInt(args[1]) : 64;
    ModelShape shape = ModelShape.imagenet().withImageSize(size);
    List<ModelInfo> models = Catalogue.models(glob);
    if (models.isEmpty()) { // as ./stmzoo list says it, rather than an empty table
      throw new IllegalArgumentException("no model matches '" + glob + "'");
    }
    System.out.printf(Locale.ROOT, "%-22s %-18s %12s %8s  %s%n", "model", "family", "parameters", "GMACs", "published");
    List<ReleaseInfo> releases = Catalogue.releases();
    for (ModelInfo model : models) {
      ModelMeasurement m = model.measure(shape);
      String published = releases.stream().filter(r -> r.model().equals(model.name())).map(ReleaseInfo::tag)
          .collect(Collectors.joining(", "));
      System.out.printf(Locale.ROOT, "%-22s %-18s %,12d %8.3f  %s%n", model.name(), model.family(), m.parameters(),
          m.gmacs(), published.isEmpty() ? "-" : published);
    }
  }
}
