package org.stmzoo.zoo.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.stmzoo.zoo.cli.CommandRunner.run;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.stmzoo.layers.core.CheckpointFolder;
import org.stmzoo.zoo.checkpoint.StmzooCheckpoint;
import org.stmzoo.zoo.weights.NpyFile;
import org.stmzoo.zoo.weights.RawTensor;
import org.stmzoo.zoo.weights.ReferenceParity;

/** The CLI round trip of the issue: import the PiT-Ti fixture, then predict its input as JSON. */
class ImportPredictCommandTest {
  @TempDir Path dir;

  @Test
  void importThenPredictReproducesTheReferenceLogits() throws Exception {
    Path out = dir.resolve("pit-ti");
    String log = run(new ImportCommand(), "--model", "pit-ti",
        "--checkpoint", ReferenceParity.fixture("pit_ti_224.safetensors").toString(), "--output", out.toString());
    assertThat(log).contains("imported").contains("pit-ti");
    assertThat(out.resolve(StmzooCheckpoint.METADATA_FILE)).exists();
    CheckpointFolder.Metadata meta = StmzooCheckpoint.read(out).metadata();
    assertThat(meta.model()).isEqualTo("pit-ti");
    assertThat(meta.numClasses()).isEqualTo(1000);
    assertThat(meta.imageSize()).isEqualTo(224);
    assertThat(meta.classNames()).as("an ImageNet-1k head keeps ImageNet's names").hasSize(1000)
        .element(281).isEqualTo("tabby cat");

    String json = run(new PredictCommand(), "--checkpoint", out.toString(),
        "--npy", ReferenceParity.fixture("pit_ti_224.input_nhwc.npy").toString(), "--json");
    ObjectMapper mapper = new ObjectMapper();
    float[][] logits = mapper.treeToValue(mapper.readTree(json).get("logits"), float[][].class);
    RawTensor expected = NpyFile.read(ReferenceParity.fixture("pit_ti_224.logits.npy"));
    double diff = ReferenceParity.maxAbsDifference(logits, expected);
    System.out.println("CLI import + predict pit-ti: max |logits - reference| = " + diff);
    assertThat(diff).isLessThanOrEqualTo(1e-4);
  }

  @Test
  void importWithAnotherClassCountSaysTheHeadIsReinitialised() throws Exception {
    Path names = dir.resolve("names.txt");
    Files.writeString(names, "cat\ndog\nbird\n");
    String log = run(new ImportCommand(), "--model", "pit-ti", "--num-classes", "3", "--class-names",
        names.toString(), "--checkpoint", ReferenceParity.fixture("pit_ti_224.safetensors").toString(),
        "--output", dir.resolve("three").toString());
    assertThat(log).contains("head is re-initialised").contains("head/kernel");
    assertThat(StmzooCheckpoint.read(dir.resolve("three")).metadata().classNames())
        .containsExactly("cat", "dog", "bird");
  }

  @Test
  void aCheckpointOfAnotherFamilyIsAnErrorNamingTensors() {
    assertThatThrownBy(() -> run(new ImportCommand(), "--model", "u-convnext-micro",
        "--checkpoint", ReferenceParity.fixture("pit_ti_224.safetensors").toString(),
        "--output", dir.resolve("x").toString()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("missing tensor 'downsample_layers.0.stem.0.weight'")
        .hasMessageContaining("unexpected tensor 'pos_embed'");
  }

  @Test
  void emaSelectsTheTrainingCheckpointsEmaWeightsAndErrorsListWhatAFileHolds() throws Exception {
    Path emaOnly = Path.of(getClass().getResource("/checkpoints/structure/ema_only.pth").toURI());
    assertThatThrownBy(() -> run(new ImportCommand(), "--model", "u-convnext-micro", "--checkpoint",
        emaOnly.toString(), "--output", dir.resolve("x").toString()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("state dicts under [model_ema] (--ema imports the EMA weights)");
    // with --ema the file's EMA state dict is read and matched against the model (here: the wrong shapes)
    assertThatThrownBy(() -> run(new ImportCommand(), "--ema", "--model", "u-convnext-micro", "--checkpoint",
        emaOnly.toString(), "--output", dir.resolve("y").toString()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unexpected tensor 'fc.weight'");
    assertThatThrownBy(() -> run(new ImportCommand(), "--ema", "--model", "pit-ti", "--checkpoint",
        ReferenceParity.fixture("pit_ti_224.safetensors").toString(), "--output", dir.resolve("z").toString()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("a safetensors file holds one state dict");
  }
}
