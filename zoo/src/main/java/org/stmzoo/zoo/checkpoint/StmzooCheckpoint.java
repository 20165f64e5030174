package org.stmzoo.zoo.checkpoint;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import org.stmzoo.export.WeightSource;
import org.stmzoo.layers.core.CheckpointOps;
import org.stmzoo.layers.core.ModelGraph;
import org.stmzoo.zoo.registry.BuiltModel;
import org.stmzoo.zoo.registry.ModelEntry;
import org.stmzoo.zoo.registry.ModelOptions;
import org.stmzoo.zoo.registry.ModelRegistry;
import org.tensorflow.Session;

/**
 * stmzoo's own checkpoint: a directory holding the model variables in TF's V2 checkpoint format
 * ({@code variables.index}, {@code variables.data-*}, keyed by variable path, readable by
 * {@code tf.train.load_checkpoint}) and {@value #METADATA_FILE}, which says what to build to restore them.
 * {@code import} writes one; {@code predict}, {@code eval}, {@code export} and {@code train --init} read one:
 * <pre>
 *   StmzooCheckpoint ckpt = StmzooCheckpoint.read(dir);
 *   BuiltModel built = BuiltModel.build(ckpt.entry(), ckpt.options(), graph, ...);
 *   ckpt.restore(session, built);
 * </pre>
 */
public final class StmzooCheckpoint {
  public static final String METADATA_FILE = "stmzoo-checkpoint.json";
  static final String VARIABLES_PREFIX = "variables";
  static final int FORMAT_VERSION = 1;
  /** Pretty-printed; null fields left out and unknown ones ignored, so later format additions stay readable. */
  private static final ObjectMapper JSON = JsonMapper.builder()
      .enable(SerializationFeature.INDENT_OUTPUT)
      .serializationInclusion(JsonInclude.Include.NON_NULL)
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .build();

  /**
   * What the directory holds.
   *
   * @param model the registered model name
   * @param classNames class names in logit order, empty if unknown
   * @param source where the weights came from (a reference checkpoint file, a training run)
   */
  public record Metadata(int formatVersion, String model, int numClasses, int imageSize, int inChannels,
      List<String> classNames, String source) {
    public Metadata {
      classNames = classNames == null ? List.of() : List.copyOf(classNames);
    }

    public static Metadata of(BuiltModel built, List<String> classNames, String source) {
      ModelOptions o = built.options();
      return new Metadata(FORMAT_VERSION, built.entry().name(), o.numClasses(), o.imageSize(), o.inChannels(),
          classNames, source);
    }
  }

  private final Path directory;
  private final Metadata metadata;

  private StmzooCheckpoint(Path directory, Metadata metadata) {
    this.directory = directory;
    this.metadata = metadata;
  }

  /** Reads the metadata of the checkpoint in {@code directory}; the variables are read by {@link #restore}. */
  public static StmzooCheckpoint read(Path directory) throws IOException {
    Path file = directory.resolve(METADATA_FILE);
    Metadata metadata;
    try {
      metadata = JSON.readValue(Files.readString(file), Metadata.class);
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException(directory + " is not an stmzoo checkpoint (no " + METADATA_FILE + ")");
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(file + " is malformed: " + e.getOriginalMessage(), e);
    }
    if (metadata == null || metadata.model() == null || metadata.formatVersion() != FORMAT_VERSION) {
      throw new IllegalArgumentException(file + " is not a version-" + FORMAT_VERSION + " stmzoo checkpoint");
    }
    if (!Files.exists(directory.resolve(VARIABLES_PREFIX + ".index"))) {
      throw new IllegalArgumentException(directory + " has no " + VARIABLES_PREFIX + ".index: incomplete checkpoint");
    }
    return new StmzooCheckpoint(directory, metadata);
  }

  /** Saves every model variable of {@code built} from {@code session} into {@code directory}. */
  public static StmzooCheckpoint write(Path directory, Session session, BuiltModel built, Metadata metadata)
      throws IOException {
    Files.createDirectories(directory);
    CheckpointOps ops = CheckpointOps.build(built.model(), "stmzoo_checkpoint", built.model().modelVariables());
    ops.save(session, prefix(directory));
    Files.writeString(directory.resolve(METADATA_FILE), JSON.writeValueAsString(metadata) + "\n");
    return new StmzooCheckpoint(directory, metadata);
  }

  public Metadata metadata() {
    return metadata;
  }

  public Path directory() {
    return directory;
  }

  public ModelEntry entry() {
    return ModelRegistry.get(metadata.model());
  }

  /** The options the checkpoint was written for (drop path: the variant's default). */
  public ModelOptions options() {
    return new ModelOptions(metadata.numClasses(), metadata.inChannels(), metadata.imageSize(), null);
  }

  /**
   * Assigns every model variable of {@code built} from this checkpoint. The model must be the one the
   * checkpoint was written for, with the same classes, channels and image size (shapes must agree).
   */
  public void restore(Session session, BuiltModel built) {
    ModelOptions o = built.options();
    if (!built.entry().name().equals(metadata.model()) || o.numClasses() != metadata.numClasses()
        || o.inChannels() != metadata.inChannels() || o.imageSize() != metadata.imageSize()) {
      throw new IllegalArgumentException("checkpoint " + directory + " holds " + metadata.model() + " ("
          + metadata.numClasses() + " classes, " + metadata.inChannels() + " channels, " + metadata.imageSize()
          + "px), not " + built.entry().name() + " (" + o.numClasses() + " classes, " + o.inChannels()
          + " channels, " + o.imageSize() + "px)");
    }
    CheckpointOps ops = CheckpointOps.build(built.model(), "stmzoo_restore", built.model().modelVariables());
    ops.restore(session, prefix(directory));
  }

  /**
   * The checkpoint as the weights of an export of {@link #entry()} built with {@link #options()}: the export's
   * graph holds the same variable paths, so its own restore op reads them from {@code variables.*}.
   */
  public WeightSource exportWeights() {
    WeightSource variables = WeightSource.checkpoint(Path.of(prefix(directory)));
    String description = "stmzoo checkpoint " + directory
        + (metadata.source() == null ? "" : " (from " + metadata.source() + ")");
    return new WeightSource() {
      @Override
      public void load(Session session, ModelGraph model, CheckpointOps checkpoint) {
        variables.load(session, model, checkpoint);
      }

      @Override
      public String description() {
        return description;
      }
    };
  }

  private static String prefix(Path directory) {
    return directory.resolve(VARIABLES_PREFIX).toAbsolutePath().toString();
  }
}
