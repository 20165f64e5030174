package org.stmzoo.recipes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.stmzoo.recipes.parallel.Cluster;
import org.tensorflow.proto.ServerDef;

/** TF_CONFIG and --cluster read into a cluster; its ServerDef and replica devices. */
class ClusterConfigTest {
  @Test
  void tfConfigOfAKubeflowTfJobWithAChief() {
    String json = """
        {"cluster": {"chief": ["job-chief-0:2222"], "worker": ["job-worker-0:2222", "job-worker-1:2222"]},
         "task": {"type": "worker", "index": 1}, "environment": "cloud"}""";
    Cluster cluster = Cluster.fromTfConfig(json).orElseThrow();
    assertThat(cluster.tasks()).containsExactly("job-chief-0:2222", "job-worker-0:2222", "job-worker-1:2222");
    assertThat(cluster.taskIndex()).isEqualTo(2);
    assertThat(cluster.isChief()).isFalse();
    ServerDef def = cluster.serverDef();
    assertThat(def.getJobName()).isEqualTo("worker");
    assertThat(def.getTaskIndex()).isEqualTo(2);
    assertThat(def.getProtocol()).isEqualTo("grpc");
    assertThat(def.getCluster().getJob(0).getTasksMap()).containsEntry(0, "job-chief-0:2222")
        .containsEntry(2, "job-worker-1:2222");
    assertThat(cluster.replicas().devices()).containsExactly("/job:worker/replica:0/task:0/device:CPU:0",
        "/job:worker/replica:0/task:1/device:CPU:0", "/job:worker/replica:0/task:2/device:CPU:0");
    assertThat(cluster.replicas().fedByTasks()).isTrue();
    assertThat(cluster.replicas().fedHere(12)).isEqualTo(4);
  }

  @Test
  void tfConfigOfWorkersOnlyMakesWorkerZeroTheChief() {
    Cluster cluster = Cluster.fromTfConfig(
        "{\"cluster\": {\"worker\": [\"a:1\", \"b:2\"]}, \"task\": {\"type\": \"worker\", \"index\": 0}}")
        .orElseThrow();
    assertThat(cluster.isChief()).isTrue();
    assertThat(Cluster.fromTfConfig(null)).isEmpty();
    assertThat(Cluster.fromTfConfig("{\"cluster\": {\"worker\": [\"a:1\"]}, \"task\": {\"type\": \"worker\", \"index\": 0}}"))
        .isEmpty();
  }

  @Test
  void badConfigurationsAreNamed() {
    assertThatThrownBy(() -> Cluster.fromTfConfig("{\"cluster\": {\"worker\": [\"a:1\"], \"ps\": [\"p:1\"]}}"))
        .hasMessageContaining("parameter servers");
    assertThatThrownBy(() -> Cluster.fromTfConfig("{\"cluster\": {\"worker\": [\"a:1\", \"b:1\"]}, "
        + "\"task\": {\"type\": \"evaluator\", \"index\": 0}}")).hasMessageContaining("evaluator");
    assertThatThrownBy(() -> Cluster.fromTfConfig("not json")).hasMessageContaining("not JSON");
    assertThatThrownBy(() -> Cluster.of("a:1,b", 0)).hasMessageContaining("host:port");
    assertThatThrownBy(() -> Cluster.of("a:1,b:2", 2)).hasMessageContaining("not one of the 2 tasks");
    assertThat(Cluster.of("127.0.0.1:1, 127.0.0.1:2", 1).tasks()).isEqualTo(List.of("127.0.0.1:1", "127.0.0.1:2"));
  }
}
