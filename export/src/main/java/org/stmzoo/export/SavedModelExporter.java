package org.stmzoo.export;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.stmzoo.layers.core.CheckpointOps;
import org.stmzoo.layers.core.ImageClassifier;
import org.stmzoo.layers.core.ModelGraph;
import org.stmzoo.layers.io.DurableFiles;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.types.TFloat32;

/**
 * Exports a classifier as a TF Serving model version: {@code baseDir/<version>/saved_model.pb},
 * {@code variables/} and {@code stmzoo.json}. The graph is inference-only (no training branch, dropout or
 * optimizer state is ever built). The version directory appears atomically (written under a hidden name,
 * then renamed), so a TF Serving instance watching {@code baseDir} never loads a half-written model.
 */
public final class SavedModelExporter {
  /** Batch of the probe images run before writing, to check a reload against. */
  static final int PROBE_BATCH = 2;

  private SavedModelExporter() {}

  /**
   * What was written.
   *
   * @param directory the version directory
   * @param probeLogits logits of {@link ProbeImages} at the model's size, computed by the exporting session
   */
  public record ExportResult(Path directory, ModelCard card, float[][] probeLogits) {
    /** Reloads the export and returns the max abs difference of its probe logits to the exporting session's. */
    public double verifyReload() {
      try (ExportedModel reloaded = ExportedModel.load(directory);
          TFloat32 probe = ProbeImages.create(PROBE_BATCH, card.inputSize(), card.inputSize())) {
        return ClassifierOutputs.maxAbsDifference(probeLogits, reloaded.classify(probe).logits());
      }
    }
  }

  /**
   * Builds {@code request}'s serving graph, loads its weights and writes it as {@code baseDir/<version>}, telling
   * standard error what it removed of earlier exports that did not finish ({@link #writeAtomically}).
   *
   * @throws IllegalArgumentException if the version is not positive or already exists ({@link #versionDirectory})
   */
  public static ExportResult export(ExportRequest request, Path baseDir, long version) throws IOException {
    return export(request, baseDir, version, SavedModelExporter::printNote);
  }

  /**
   * As {@link #export(ExportRequest, Path, long)}; {@code notes} hears what was removed of earlier exports into
   * {@code baseDir} that did not finish, and what was left ({@link #writeAtomically(Path, Consumer,
   * VersionContents)}).
   */
  public static ExportResult export(ExportRequest request, Path baseDir, long version, Consumer<String> notes)
      throws IOException {
    Path target = versionDirectory(baseDir, version);
    ImagePipeline pipeline = new ImagePipeline(request.imageSize(), request.preprocessing());
    try (Graph graph = new Graph()) {
      ModelGraph model = ModelGraph.inferenceOnly(graph, request.seed(), request.inference());
      ImageClassifier classifier = request.classifier().build(model.root());
      ServingGraph serving = ServingGraph.build(model, classifier, pipeline, request.classNames());
      CheckpointOps checkpoint = CheckpointOps.build(model, "save", model.modelVariables());
      SavedModelWriter writer = new SavedModelWriter(graph, model.tf(), checkpoint);
      var initializer = model.initializer();
      try (Session session = new Session(graph)) {
        session.runner().addTarget(initializer).run();
        request.weights().load(session, model, checkpoint);
        float[][] probeLogits = probeLogits(session, serving, request.imageSize());
        return writeAtomically(target, notes, staging -> {
          writer.write(staging, session, serving.signatureDefs());
          ModelCard card = new ModelCard(ModelCard.FORMAT, request.name(), request.reference(),
              model.parameterCount(), request.imageSize(), request.preprocessing(), request.classNames(),
              request.weights().description(), request.trainingSummary());
          card.write(staging.resolve(ServingSignatures.MODEL_CARD_FILE));
          requireComplete(staging, target);
          return new ExportResult(target, card, probeLogits);
        });
      }
    }
  }

  /** Fills a version directory that is still under a hidden name; what it returns is passed on. */
  @FunctionalInterface
  public interface VersionContents<T> {
    T write(Path staging) throws IOException;
  }

  /**
   * Refuses to publish a version that TF Serving or {@link ExportedModel#load} could not load: one lacking its
   * graph, its variables' index or its model card. The last check before {@code staging} is renamed to
   * {@code target}, so that a writer that wrote less than it meant to (a copy that found nothing to copy) fails
   * rather than publishing an empty version as a success.
   *
   * @throws IOException naming the first file missing
   */
  public static void requireComplete(Path staging, Path target) throws IOException {
    for (String file : List.of(ServingSignatures.SAVED_MODEL_FILE, ServingSignatures.VARIABLES_DIR + "/"
        + ServingSignatures.VARIABLES_PREFIX + ".index", ServingSignatures.MODEL_CARD_FILE)) {
      if (!Files.isRegularFile(staging.resolve(file))) {
        throw new IOException(target + " would have no " + file + ", so it was not written");
      }
    }
  }

  /**
   * {@code baseDir/<version>}, checked to be a positive version that does not exist yet, under any name TF Serving
   * reads as that version ({@code 01} is version 1, {@link #versionOf}).
   *
   * @throws IllegalArgumentException if the version is not positive or exists
   */
  public static Path versionDirectory(Path baseDir, long version) throws IOException {
    requirePositiveVersion(version);
    if (Files.isDirectory(baseDir)) {
      try (Stream<Path> entries = Files.list(baseDir)) {
        Optional<Path> taken = entries.filter(p -> versionOf(p).equals(OptionalLong.of(version))).findFirst();
        if (taken.isPresent()) {
          throw new IllegalArgumentException(taken.get() + " already exists (TF Serving's version " + version
              + "); choose another --version");
        }
      }
    }
    return baseDir.resolve(Long.toString(version));
  }

  /**
   * Refuses a version TF Serving would not load: its versions are the positive integers naming the directories.
   *
   * @throws IllegalArgumentException if {@code version} is not positive
   */
  public static void requirePositiveVersion(long version) {
    if (version <= 0) {
      throw new IllegalArgumentException("the version must be a positive integer (TF Serving's layout), got "
          + version);
    }
  }

  /**
   * The version a folder's name gives: its digits as a long ({@code 01} is version 1), or empty for any other name,
   * which TF Serving ignores: a hidden staging folder, or digits past long's range. {@code 0} counts, so that an
   * export someone wrote as version 0 still loads; stmzoo writes positive versions only.
   */
  public static OptionalLong versionOf(Path folder) {
    String name = folder.getFileName().toString();
    if (!name.matches("\\d+")) {
      return OptionalLong.empty();
    }
    try {
      long version = Long.parseLong(name);
      return OptionalLong.of(version);
    } catch (NumberFormatException pastLongsRange) {
      return OptionalLong.empty();
    }
  }

  /**
   * As {@link #writeAtomically(Path, Consumer, VersionContents)}, telling standard error (as {@code note: ...})
   * what it removed of earlier exports that did not finish.
   */
  public static <T> T writeAtomically(Path target, VersionContents<T> contents) throws IOException {
    return writeAtomically(target, SavedModelExporter::printNote, contents);
  }

  /**
   * Writes {@code target} (a version directory, named by its version number; another name is refused) atomically:
   * {@code contents} fills a hidden folder {@code .VERSION-incomplete-RANDOM} next to it, which is forced to storage and then renamed to {@code target}. A
   * failure partway leaves neither {@code target} nor the hidden folder behind, so loaders and TF Serving, which pick
   * the highest version, never see a half-written one.
   *
   * <p>A process killed partway (kill -9, the OOM killer, a power loss) leaves its hidden folder, which no loader
   * reads (not a number) but which may be as large as the model. So first this removes such folders of earlier
   * exports into the same parent, and tells {@code notes} what it removed and how large it was. It knows them by
   * their lock file {@code .VERSION-incomplete-RANDOM.lock} beside the folder, which every export holds an OS lock
   * on while it writes and which the OS releases when the process dies: a folder whose lock can be taken is removed,
   * one that another export (another process or another thread of this one) is writing is left alone. A folder
   * without a lock file (written by an stmzoo older than the lock files) is removed only once nothing in it has
   * changed for 24 hours, and otherwise left and mentioned in {@code notes}. Where the file system refuses locks
   * (Lustre without flock, NFSv3 without its lock manager) the export writes without one, {@code notes} is told so
   * once, and every staging folder there is treated as one without a lock file. See {@link VersionStaging}.
   *
   * @param notes told, in a line each, what was removed and what was left
   * @throws FileAlreadyExistsException if {@code target} appeared while the contents were written (another export
   *     of the same version)
   */
  public static <T> T writeAtomically(Path target, Consumer<String> notes, VersionContents<T> contents)
      throws IOException {
    if (versionOf(target).isEmpty()) {
      // the clean-up knows staging folders by a version's digits: another name's would never be reclaimed
      throw new IllegalArgumentException(target + " is not a version directory (its name must be a version"
          + " number)");
    }
    Path parent = target.toAbsolutePath().getParent();
    Files.createDirectories(parent);
    List<IOException> lockFailures = new ArrayList<>();
    VersionStaging.removeAbandoned(parent, lockFailures::add).forEach(leftover -> notes.accept(leftover.note()));
    try (VersionStaging staging = VersionStaging.create(parent, target.getFileName().toString())) {
      if (staging.lockFailure() != null) {
        lockFailures.add(staging.lockFailure());
      }
      if (!lockFailures.isEmpty()) {
        notes.accept(VersionStaging.locksUnsupported(parent, lockFailures.get(0)));
      }
      T result = contents.write(staging.folder());
      DurableFiles.syncTree(staging.folder());
      try {
        // still holding the staging's lock: a clean-up in another export cannot delete the folder before the rename
        Files.move(staging.folder(), target, StandardCopyOption.ATOMIC_MOVE);
      } catch (FileSystemException e) {
        // rename(2) fails with ENOTEMPTY or EEXIST, which the JDK reports as a bare FileSystemException
        if (!Files.exists(target)) {
          throw e;
        }
        throw new FileAlreadyExistsException(target.toString(), null, "version " + target.getFileName()
            + " appeared while this export was written (another export of the same version?); choose another"
            + " --version");
      }
      DurableFiles.syncDirectory(parent);
      return result;
    }
  }

  /**
   * Prints {@code note} to standard error as {@code note: ...}: the notes of the overloads without a {@code notes}
   * consumer, here and in the Java API.
   */
  public static void printNote(String note) {
    System.err.println("note: " + note);
  }

  private static float[][] probeLogits(Session session, ServingGraph serving, int size) {
    try (TFloat32 probe = ProbeImages.create(PROBE_BATCH, size, size);
        Tensor logits = session.runner().feed(serving.images(), probe).fetch(serving.logits()).run().get(0)) {
      return ClassifierOutputs.toMatrix((TFloat32) logits);
    }
  }
}
