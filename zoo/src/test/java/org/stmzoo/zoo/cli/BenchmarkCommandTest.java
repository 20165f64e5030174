package org.stmzoo.zoo.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

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
}
