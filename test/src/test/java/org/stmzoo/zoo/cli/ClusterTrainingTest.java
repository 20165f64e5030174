package org.stmzoo.zoo.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.stmzoo.zoo.cli.CommandRunner.run;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.stmzoo.datasets.FashionMnist;
import org.stmzoo.layers.core.CheckpointFolder;
import org.stmzoo.recipes.output.RunDirectory;

/**
 * Multi-process data parallelism on loopback: two {@code train} processes (chief and worker, spawned with this
 * JVM's classpath) against one process on the same global batch and seed, with DeiT's augmentation on. The
 * worker is killed in the second epoch: the chief must stop with an error naming it within 60 s; both restarted
 * with {@code --resume} finish from the chief's last checkpoint, and the weights equal the single process's. A
 * worker whose chief is killed stops with an error naming it; one started with another seed than the chief's
 * refuses to start.
 */
class ClusterTrainingTest {
  private static final List<String> KEYS = List.of("patch_embed/proj/kernel", "cls_token", "blocks/0/attn/qkv/kernel",
      "blocks/11/mlp/fc2/bias", "head/kernel", "head/bias", "optimizer/exp_avg/blocks/11/mlp/fc2/bias",
      "optimizer/exp_avg_sq/blocks/0/attn/qkv/bias");
  private static final int STEPS_PER_EPOCH = 10;

  private static List<String> args(Path output) {
    return new ArrayList<>(List.of("--model", "deit-tiny", "--data", "fashion-mnist", "--limit-train",
        Integer.toString(16 * STEPS_PER_EPOCH), "--limit-val", "16", "--image-size", "32", "--batch-size", "16",
        "--epochs", "2", "--warmup-epochs", "0", "--drop-path", "0", "--threads", "1", "--no-progress", "--output",
        output.toString()));
  }

  @Test
  void twoProcessesTrainLikeOneStopWhenOneDiesAndResume(@TempDir Path dir) throws Exception {
    assumeFashionMnist();
    Path single = dir.resolve("single");
    run(new TrainCommand(Map.of()), args(single).toArray(String[]::new));

    Path clustered = dir.resolve("cluster");
    try (Tasks tasks = startTasks(dir, "", clustered, false, List.of(), 60, List.of())) {
      awaitLine(dir.resolve("chief.log"), "epoch 1:", tasks.chief(), 300);
      tasks.worker().destroyForcibly();
      long killed = System.nanoTime();
      assertThat(tasks.chief().waitFor(60, TimeUnit.SECONDS)).as("the chief stops within 60 s of the worker's death")
          .isTrue();
      System.out.printf("chief stopped %.1f s after the worker was killed%n", (System.nanoTime() - killed) / 1e9);
      String log = Files.readString(dir.resolve("chief.log"));
      assertThat(tasks.chief().exitValue()).as(log).isEqualTo(1);
      assertThat(log).contains("error: the cluster lost task 1 (" + tasks.address(1) + ")");
    }
    CheckpointFolder.Metadata last = new RunDirectory(clustered).checkpointMetadata(RunDirectory.LAST);
    assertThat(last.training().step()).isEqualTo(STEPS_PER_EPOCH);

    try (Tasks tasks = startTasks(dir, "-resumed", clustered, true, List.of(), 60, List.of())) {
      assertThat(tasks.chief().waitFor(300, TimeUnit.SECONDS)).isTrue();
      assertThat(tasks.worker().waitFor(60, TimeUnit.SECONDS)).isTrue();
      String log = Files.readString(dir.resolve("chief-resumed.log"));
      assertThat(tasks.chief().exitValue()).as(log).isZero();
      assertThat(tasks.worker().exitValue()).as(Files.readString(dir.resolve("worker-resumed.log"))).isZero();
      assertThat(log).contains("Resuming at epoch 2, step " + STEPS_PER_EPOCH);
    }
    assertThat(new RunDirectory(clustered).checkpointMetadata(RunDirectory.LAST).training().step())
        .isEqualTo(2 * STEPS_PER_EPOCH);
    for (String key : KEYS) {
      float[] expected = CheckpointTensors.read(single.resolve(RunDirectory.LAST), key);
      float[] actual = CheckpointTensors.read(clustered.resolve(RunDirectory.LAST), key);
      assertThat(actual).hasSameSizeAs(expected);
      for (int i = 0; i < expected.length; i++) {
        assertThat(Math.abs(actual[i] - expected[i])).as("%s[%d]", key, i).isLessThanOrEqualTo(1e-5f);
      }
    }
  }

  @Test
  void aChiefStoppedByANonFiniteLossReleasesItsWorker(@TempDir Path dir) throws Exception {
    assumeFashionMnist();
    // AdamW's first update is about lr x batch / 512 per weight: the second step's loss overflows
    List<String> diverging = List.of("--lr", "1e30");
    try (Tasks tasks = startTasks(dir, "", dir.resolve("diverged"), false, diverging, 60, diverging)) {
      assertThat(tasks.chief().waitFor(300, TimeUnit.SECONDS)).isTrue();
      String chiefLog = Files.readString(dir.resolve("chief.log"));
      assertThat(tasks.chief().exitValue()).as(chiefLog).isEqualTo(1);
      assertThat(chiefLog).containsPattern("loss is (NaN|-?Infinity) at step");
      // released at once, not after the 60 s in which an unreleased worker waits for the chief
      assertThat(tasks.worker().waitFor(30, TimeUnit.SECONDS)).as("the worker ends within 30 s of the chief")
          .isTrue();
      String workerLog = Files.readString(dir.resolve("worker.log"));
      assertThat(tasks.worker().exitValue()).as(workerLog).isZero();
      assertThat(workerLog).contains("task 1: the chief stopped training after");
    }
  }

  @Test
  void aWorkerWhoseChiefDiesStopsWithAnErrorNamingIt(@TempDir Path dir) throws Exception {
    assumeFashionMnist();
    try (Tasks tasks = startTasks(dir, "", dir.resolve("orphaned"), false, List.of(), 10, List.of())) {
      awaitLine(dir.resolve("worker.log"), "task 1: producing its slice", tasks.worker(), 300);
      tasks.chief().destroyForcibly();
      long killed = System.nanoTime();
      // the worker's 10 s silence, a 10 s poll and the session's 10 s close deadline; it used to hang in
      // TF_CloseSession forever
      assertThat(tasks.worker().waitFor(120, TimeUnit.SECONDS))
          .as("the worker stops within 120 s of the chief's death").isTrue();
      System.out.printf("worker stopped %.1f s after the chief was killed%n", (System.nanoTime() - killed) / 1e9);
      String log = Files.readString(dir.resolve("worker.log"));
      assertThat(tasks.worker().exitValue()).as(log).isEqualTo(1);
      assertThat(log).contains("error: task 1: the chief (task 0 at " + tasks.address(0)
          + ") has not answered for 10 s");
    }
  }

  @Test
  void aWorkerStartedWithAnotherSeedRefusesNamingIt(@TempDir Path dir) throws Exception {
    assumeFashionMnist();
    // its slices would come from another epoch order: images seen twice or never, silently
    try (Tasks tasks = startTasks(dir, "", dir.resolve("mismatched"), false, List.of(), 60, List.of("--seed", "7"))) {
      assertThat(tasks.worker().waitFor(300, TimeUnit.SECONDS)).isTrue();
      String workerLog = Files.readString(dir.resolve("worker.log"));
      assertThat(tasks.worker().exitValue()).as(workerLog).isEqualTo(1);
      assertThat(workerLog).contains("error: task 1's --seed 7 differs from the chief's 0; every task must run with"
          + " the same training arguments").doesNotContain("producing");
      assertThat(tasks.chief().waitFor(60, TimeUnit.SECONDS)).as("the chief stops within 60 s of the worker")
          .isTrue();
      String chiefLog = Files.readString(dir.resolve("chief.log"));
      assertThat(tasks.chief().exitValue()).as(chiefLog).isEqualTo(1);
      assertThat(chiefLog).contains("error: task 1's --seed 7 differs from the chief's 0; every task must run with"
          + " the same training arguments").doesNotContain("epoch 1:");
    }
  }

  private static void assumeFashionMnist() throws IOException {
    try {
      FashionMnist.locate(null, FashionMnist.defaultCacheFolder(), false);
    } catch (IllegalArgumentException notInstalled) {
      assumeTrue(false, "Fashion-MNIST is not installed: " + notInstalled.getMessage());
    }
  }

  /** A chief and a worker of one cluster; closing kills what is still running. */
  private record Tasks(String cluster, Process chief, Process worker) implements AutoCloseable {
    String address(int task) {
      return cluster.split(",")[task];
    }

    @Override
    public void close() {
      chief.destroyForcibly();
      worker.destroyForcibly();
    }
  }

  /**
   * A chief and a worker on two free loopback ports, writing {@code chief<suffix>.log} and
   * {@code worker<suffix>.log}, each with its extra arguments; the chief waits 60 s for another task, the worker
   * {@code workerTimeout}.
   */
  private static Tasks startTasks(Path dir, String suffix, Path output, boolean resume, List<String> chiefArgs,
      int workerTimeout, List<String> workerArgs) throws IOException {
    String cluster = "127.0.0.1:" + freePort() + ",127.0.0.1:" + freePort();
    Process chief = start(dir, "chief" + suffix, output, cluster, 0, 60, resume, chiefArgs);
    try {
      return new Tasks(cluster, chief, start(dir, "worker" + suffix, output, cluster, 1, workerTimeout, resume,
          workerArgs));
    } catch (IOException | RuntimeException e) {
      chief.destroyForcibly();
      throw e;
    }
  }

  private static Process start(Path dir, String name, Path output, String cluster, int task, int timeoutSeconds,
      boolean resume, List<String> extraArgs) throws IOException {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx2g", "-cp", System.getProperty("java.class.path"), Main.class.getName(), "train"));
    command.addAll(args(output));
    command.addAll(List.of("--cluster", cluster, "--task-index", Integer.toString(task), "--cluster-timeout",
        Integer.toString(timeoutSeconds)));
    if (resume) {
      command.add("--resume");
    }
    command.addAll(extraArgs);
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(dir.resolve(name + ".log").toFile());
    builder.environment().put("TF_CPP_MIN_LOG_LEVEL", "1");
    builder.environment().remove("TF_CONFIG");
    return builder.start();
  }

  private static void awaitLine(Path log, String text, Process process, int seconds) throws Exception {
    long deadline = System.nanoTime() + seconds * 1_000_000_000L;
    while (System.nanoTime() < deadline) {
      if (Files.exists(log) && Files.readString(log).contains(text)) {
        return;
      }
      assertThat(process.isAlive()).as("process alive while waiting for '%s': %s", text,
          Files.exists(log) ? Files.readString(log) : "").isTrue();
      Thread.sleep(100);
    }
    throw new AssertionError("no '" + text + "' in " + log + " after " + seconds + " s");
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
