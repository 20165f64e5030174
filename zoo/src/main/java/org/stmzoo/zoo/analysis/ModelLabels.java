package org.stmzoo.zoo.analysis;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The names the analysed models go by in output folders, figure legends and report columns: the model's name, and
 * where two models share it (two checkpoints of one architecture), the name with the checkpoint folder's name
 * ({@code u-convnext-micro-a} for {@code runs/a}), else with the model's position (1-based) in the list.
 */
public final class ModelLabels {
  /** Checkpoint folders named after the run's file layout, not the run: the run folder above them names it. */
  private static final Set<String> LAYOUT_FOLDERS = Set.of("best", "last");

  private ModelLabels() {}

  public static List<String> of(List<AnalysisModel.Spec> models) throws IOException {
    List<String> names = new ArrayList<>();
    List<Path> checkpoints = new ArrayList<>();
    for (AnalysisModel.Spec model : models) {
      names.add(model.modelName());
      checkpoints.add(model.weights() instanceof AnalysisModel.Weights.Checkpoint c ? c.path() : null);
    }
    return unique(names, checkpoints);
  }

  /** @param checkpoints each model's checkpoint folder, null for other weights */
  static List<String> unique(List<String> names, List<Path> checkpoints) {
    List<String> labels = new ArrayList<>();
    for (int i = 0; i < names.size(); i++) {
      String name = names.get(i);
      boolean shared = names.stream().filter(name::equals).count() > 1;
      String folder = checkpoints.get(i) == null ? null : folderName(checkpoints.get(i));
      labels.add(!shared ? name : folder != null ? name + "-" + folder : name + "-" + (i + 1));
    }
    // still shared (runs1/a and runs2/a, or a folder named like a position): the later ones get their position
    Set<String> taken = new HashSet<>();
    for (int i = 0; i < labels.size(); i++) {
      String label = labels.get(i);
      while (!taken.add(label)) {
        label = label + "-" + (i + 1);
      }
      labels.set(i, label);
    }
    return List.copyOf(labels);
  }

  /** The folder's name, safe in a path and a Markdown link; null when it has none (a root). */
  private static String folderName(Path folder) {
    Path absolute = folder.toAbsolutePath().normalize();
    Path name = absolute.getFileName();
    if (name == null) {
      return null;
    }
    String text = name.toString();
    if (LAYOUT_FOLDERS.contains(text) && absolute.getParent() != null && absolute.getParent().getFileName() != null) {
      text = absolute.getParent().getFileName() + "-" + text;
    }
    return text.replaceAll("[^A-Za-z0-9._-]", "_");
  }
}
