package org.stmzoo.zoo.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ./stmzoo benchmark}: every flag is checked before anything runs, and none is accepted and ignored. */
class BenchmarkCommandTest {
  private static final String FUSED_IN_TRAINING = "error: --fused-layer-norm applies only to --mode infer and serve"
      + " (training computes LayerNorm's forward value with the fused kernel wherever TF fuses it, as train does)";

  /**
   * Each case is refused as a usage error naming the flag, before a graph is built or data is read: the --data
   * cases name a folder that does not exist, which the loader would report as another error.
   */
  @Test
  void flagsTheModeDoesNotUseAndBadValuesAreUsageErrorsBeforeAnythingRuns() {
    String missing = "/no/such/images";
    String[][] cases = {
        {"--runs", "5", "error: --runs applies only to --mode serve"},
        {"--mode", "train", "--runs", "5", "error: --runs applies only to --mode serve"},
        {"--mode", "serve", "--xla", "error: --xla applies only to --mode infer and train"},
        {"--mode", "serve", "--profile", "error: --profile applies only to --mode infer and train"},
        {"--mode", "serve", "--data", missing, "error: --data applies only to --mode train"},
        {"--mode", "serve", "--aa", "none", "error: --aa applies only to --data"},
        {"--mode", "serve", "--profile-top", "3", "error: --profile-top applies only to --profile"},
        {"--aa", "none", "error: --aa applies only to --data"},
        {"--mode", "train", "--scale", "0.5", "error: --scale applies only to --data"},
        {"--loader-threads", "2", "error: --loader-threads applies only to --data"},
        {"--profile-top", "3", "error: --profile-top applies only to --profile"},
        // refused before the loader's 52 batches, not after them
        {"--mode", "train", "--data", missing, "--fused-layer-norm", FUSED_IN_TRAINING},
        {"--mode", "train", "--data", missing, "--aa", "foo", "error: --aa: unsupported auto-augment 'foo': only"
            + " RandAugment ('rand-m9-mstd0.5-inc1' style) is implemented"},
        {"--mode", "train", "--data", missing, "--scale", "abc", "error: --scale must be a number in (0, 1], got"
            + " 'abc'"},
        {"--mode", "serve", "--in-channels", "1", "error: --in-channels must be 3 with --mode serve (exports take RGB"
            + " images), got 1"},
        // the loader's rate would be of RGB images, not of the step's input
        {"--mode", "train", "--in-channels", "1", "--data", missing, "error: --in-channels must be 3 with --data (the"
            + " loader's training transform makes RGB images), got 1"},
        {"--mode", "train", "--thread-plan", "batches", "--threads", "2", "--batch", "7", "error: --thread-plan"
            + " batches: the batch size 7 does not split evenly over 2 replicas (the training step runs as one chain"
            + " per part)"},
        // batch x 224 x 224 x 3 floats past int's range: refused, not "error: -1284407296"
        {"--batch", "20000", "error: --batch 20000: a batch of 20000 224x224x3 images is 3010560000 values, more"
            + " than one Java array holds (2147483639): lower the batch or the image size"},
    };
    for (String[] c : cases) {
      String[] args = new String[c.length + 1];
      args[0] = "benchmark";
      args[1] = "--model=u-convnext-micro";
      System.arraycopy(c, 0, args, 2, c.length - 1);
      CliTest.Outcome o = CliTest.run(args);
      assertThat(o.code()).as(String.join(" ", args) + "\n" + o.err()).isEqualTo(2);
      assertThat(CliTest.errorLine(o)).as(String.join(" ", args)).isEqualTo(c[c.length - 1]);
      assertThat(o.out()).doesNotContainPattern("[0-9.]+ images/s").doesNotContain("loader only:");
    }
  }

  /** The step's figures are printed before the loader runs: a loader that fails on its data loses none of them. */
  @Test
  void aLoaderFailureKeepsTheStepFiguresPrinted(@TempDir Path tmp) throws IOException {
    Path empty = Files.createDirectories(tmp.resolve("empty")); // exists, so refused only when the loader reads it
    CliTest.Outcome o = CliTest.run("benchmark", "--model", "u-convnext-micro", "--mode", "train", "--image-size",
        "32", "--num-classes", "10", "--batch", "2", "--steps", "1", "--warmup", "0", "--data", empty.toString(),
        "--loader-threads", "1");
    assertThat(o.code()).as(o.err()).isEqualTo(1);
    assertThat(CliTest.errorLine(o)).startsWith("error: Image folder " + empty + " has no class sub-folders");
    assertThat(o.out()).containsPattern("^u-convnext-micro train batch=2 image=32 steps=1: [0-9.]+ images/s")
        .contains("thread plan: ").doesNotContain("loader only:");
  }

  /**
   * stdout and stderr in one stream, as a terminal shows them: the result line, thread plan and warm-up times, the
   * notes, then the profile, as before the API. A process's second thread plan is sure to have a note: TF sized its
   * pools at the first benchmark session (intra-op 1, inter-op 1 and intra-op 1, inter-op 2 differ, so one of
   * these two runs at least is not the first session's).
   */
  @Test
  void notesComeBetweenTheWarmUpTimesAndTheProfile() {
    List<String> outputs = new ArrayList<>();
    for (String[] plan : new String[][] {{"throughput", "1"}, {"latency", "2"}}) {
      ByteArrayOutputStream both = new ByteArrayOutputStream();
      PrintStream oldOut = System.out;
      PrintStream oldErr = System.err;
      try {
        PrintStream stream = new PrintStream(both, true, StandardCharsets.UTF_8);
        System.setOut(stream);
        System.setErr(stream);
        assertThat(Main.run(new String[] {"benchmark", "--model", "u-convnext-micro", "--image-size", "32",
            "--num-classes", "10", "--batch", "1", "--steps", "1", "--warmup", "1", "--thread-plan", plan[0],
            "--threads", plan[1], "--profile", "--profile-top", "1"})).isZero();
      } finally {
        System.setOut(oldOut);
        System.setErr(oldErr);
      }
      outputs.add(both.toString(StandardCharsets.UTF_8));
    }
    assertThat(outputs).anySatisfy(text -> assertThat(text).contains("note: TF sized its thread pools"));
    for (String text : outputs) {
      if (text.contains("note: ")) {
        assertThat(text.indexOf("note: ")).as(text).isGreaterThan(text.indexOf("untimed warm-up steps: "))
            .isGreaterThan(text.indexOf("thread plan: ")).isLessThan(text.indexOf("profile of a traced step"));
      }
    }
  }
}
