package org.stmzoo.recipes.parallel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;
import org.tensorflow.proto.ClusterDef;
import org.tensorflow.proto.JobDef;
import org.tensorflow.proto.ServerDef;

/**
 * The processes of a data-parallel training cluster: one TF job {@code worker} whose task 0 is the chief (it holds
 * the variables, runs the steps, and writes the run folder) and whose other tasks each feed their share of every
 * batch and compute their replica.
 *
 * @param tasks {@code host:port} of every task, in task order
 * @param taskIndex this process's task
 */
public record Cluster(List<String> tasks, int taskIndex) {
  public static final String JOB = "worker";

  public Cluster {
    tasks = List.copyOf(tasks);
    if (tasks.size() < 2) {
      throw new IllegalArgumentException("a cluster needs at least 2 tasks, got " + tasks);
    }
    if (taskIndex < 0 || taskIndex >= tasks.size()) {
      throw new IllegalArgumentException("task index " + taskIndex + " is not one of the " + tasks.size()
          + " tasks 0.." + (tasks.size() - 1));
    }
    for (String t : tasks) {
      if (!t.matches("[^\\s:]+:\\d+")) {
        throw new IllegalArgumentException("cluster addresses are host:port, got '" + t + "'");
      }
    }
  }

  /** {@code --cluster host:port,host:port --task-index I}. */
  public static Cluster of(String addresses, int taskIndex) {
    return new Cluster(List.of(addresses.split(",")).stream().map(String::trim).toList(), taskIndex);
  }

  /**
   * The {@code TF_CONFIG} JSON that Kubeflow's TFJob (and tf.distribute) set: {@code cluster} with job lists and
   * {@code task} {type, index}. A {@code chief} job, when present, is task 0 and the {@code worker} tasks follow;
   * parameter servers are not used by this synchronous all-replica scheme and are refused.
   */
  public static Optional<Cluster> fromTfConfig(String json) {
    if (json == null || json.isBlank()) {
      return Optional.empty();
    }
    JsonNode root;
    try {
      root = new ObjectMapper().readTree(json);
    } catch (IOException e) {
      throw new IllegalArgumentException("TF_CONFIG is not JSON: " + e.getMessage());
    }
    JsonNode cluster = root.path("cluster");
    if (cluster.has("ps")) {
      throw new IllegalArgumentException("TF_CONFIG names parameter servers ('ps'); stmzoo trains with the "
          + "variables on the chief and needs only chief/worker tasks");
    }
    List<String> chief = addresses(cluster.path("chief"));
    List<String> workers = addresses(cluster.path("worker"));
    if (chief.size() > 1) {
      throw new IllegalArgumentException("TF_CONFIG has " + chief.size() + " chief tasks; one at most");
    }
    String type = root.path("task").path("type").asText("");
    int index = root.path("task").path("index").asInt(-1);
    int offset = chief.size();
    int taskIndex = switch (type) {
      case "chief" -> index;
      case "worker" -> index < 0 ? -1 : offset + index;
      default -> throw new IllegalArgumentException("TF_CONFIG task type '" + type + "' is not chief or worker");
    };
    List<String> tasks = new ArrayList<>(chief);
    tasks.addAll(workers);
    if (tasks.size() == 1 && taskIndex == 0) {
      return Optional.empty(); // a one-task "cluster" trains alone
    }
    return Optional.of(new Cluster(tasks, taskIndex));
  }

  private static List<String> addresses(JsonNode list) {
    List<String> out = new ArrayList<>();
    list.forEach(n -> out.add(n.asText()));
    return out;
  }

  public int size() {
    return tasks.size();
  }

  public boolean isChief() {
    return taskIndex == 0;
  }

  /** The CPU device of task {@code i}, where its replica (and, for the chief, the variables) live. */
  public static String device(int task) {
    return "/job:" + JOB + "/replica:0/task:" + task + "/device:CPU:0";
  }

  /** One replica per task, each fed by its own process. */
  public Replicas replicas() {
    return Replicas.fedByTasks(IntStream.range(0, size()).mapToObj(Cluster::device).toList());
  }

  /** The ServerDef of this process's in-process gRPC server. */
  public ServerDef serverDef() {
    JobDef.Builder job = JobDef.newBuilder().setName(JOB);
    for (int i = 0; i < tasks.size(); i++) {
      job.putTasks(i, tasks.get(i));
    }
    return ServerDef.newBuilder().setCluster(ClusterDef.newBuilder().addJob(job)).setJobName(JOB)
        .setTaskIndex(taskIndex).setProtocol("grpc").build();
  }

  public String address(int task) {
    return tasks.get(task);
  }
}
