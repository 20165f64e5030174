package org.stmzoo.zoo.benchmark;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.IntFunction;
import java.util.regex.Pattern;
import org.stmzoo.layers.core.FrozenWeights;
import org.stmzoo.layers.core.ModelGraph;
import org.stmzoo.recipes.train.ReplicatedGradients;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.NodeDef;

/**
 * Which layer each node of a graph belongs to, as a '.'-separated layer path ({@code stages.2.blocks.5.mixer.qkv}).
 *
 * <p>Layers do not put their ops in TF name scopes (see {@code LayerScope}), so only variable ops carry the
 * layer path: {@code stages.2.blocks.5.mixer.qkv.kernel.read}. A forward node reading a variable belongs to that
 * variable's layer; any other forward node lies, in creation order, between the ops of layers built before and
 * after it, so it gets the longest path the two share (the ops of an attention core between {@code mixer.qkv}
 * and {@code mixer.proj} get {@code mixer}). Gradient nodes ({@code gradients/...}, or in a step of several
 * replicas each replica's and their mean, {@link ReplicatedGradients#isReplicaGradient}; TF does not name them after
 * their forward op) belong to the layer of the variables or forward nodes they read, else to the path their
 * neighbours among the gradient nodes share. Nodes in other name scopes belong to the scope ({@code
 * (train/adamw)}). Nodes the runtime adds after Grappler
 * rewrote the graph are matched to the graph node whose name they embed; an XLA cluster's launch, named after
 * its cluster, goes to the layers of its arguments ({@link #layerOf(String, String, List)}).
 */
public final class LayerAttribution {
  /** The layer of nodes outside every model layer (inputs, loss, augmentation). */
  public static final String OUTSIDE = "(outside layers)";
  /** The layer of runtime nodes that match no graph node (sources, sends, receives, retvals). */
  public static final String RUNTIME = "(runtime)";

  private static final String READ_SUFFIX = FrozenWeights.READ_SUFFIX;
  /** The op types that compile and run an XLA cluster ({@code _XlaCompile}, {@code _XlaRun}, ...). */
  private static final String XLA_LAUNCH = "_Xla";
  /** TF's gradient scopes, {@code gradients/} and {@code gradients_N/}; compiled once, as every node is tested. */
  private static final Pattern TF_GRADIENT = Pattern.compile("^gradients(_\\d+)?/.*");
  /** How far back from a variable's update its gradient is looked for (AdamW reads it 3 ops before). */
  private static final int UPDATE_HOPS = 4;

  private final Map<String, String> layerByNode;
  private final Map<String, String> typeByNode;

  private LayerAttribution(Map<String, String> layerByNode, Map<String, String> typeByNode) {
    this.layerByNode = layerByNode;
    this.typeByNode = typeByNode;
  }

  public static LayerAttribution of(GraphDef graph) {
    List<NodeDef> nodes = graph.getNodeList();
    Map<String, String> typeByNode = new HashMap<>();
    Map<String, String> layerByNode = new HashMap<>();
    for (NodeDef n : nodes) {
      typeByNode.put(n.getName(), n.getOp());
      String suffix = weightSuffix(n);
      if (suffix != null) {
        String variable = n.getName().substring(0, n.getName().length() - suffix.length());
        int dot = variable.lastIndexOf('.');
        layerByNode.put(n.getName(), dot < 0 ? OUTSIDE : variable.substring(0, dot));
      }
    }
    Map<String, String> variableLayer = Map.copyOf(layerByNode);
    Map<String, String> updatedLayer = updatedLayers(nodes, variableLayer);
    List<Integer> layerOps = new ArrayList<>();
    List<Integer> gradientOps = new ArrayList<>();
    for (int i = 0; i < nodes.size(); i++) {
      String name = nodes.get(i).getName();
      if (variableLayer.containsKey(name)) {
        continue; // reads are built with the variable, not where the layer's call is: they say nothing of order
      }
      if (isGradient(name)) {
        gradientOps.add(i);
      } else if (isScoped(name)) {
        layerByNode.put(name, "(" + scopeOf(name) + ")");
      } else {
        layerOps.add(i);
      }
    }
    // Forward ops: by the variables they read, else by their neighbours in creation order.
    attribute(nodes, layerOps, i -> commonLayer(nodes.get(i), variableLayer::get), layerByNode);
    // Gradient ops: by the variables they read, else by the variable whose update reads them, else by the
    // forward ops they read (a gradient reads the inputs or outputs of its forward op), else by their neighbours
    // among the gradient ops.
    attribute(nodes, gradientOps, i -> {
      String direct = commonLayer(nodes.get(i), variableLayer::get);
      if (direct == null) {
        direct = updatedLayer.get(nodes.get(i).getName());
      }
      return direct != null ? direct : commonLayer(nodes.get(i), forwardLayers(layerByNode));
    }, layerByNode);
    return new LayerAttribution(layerByNode, typeByNode);
  }

  /**
   * The name suffix of a node that holds a weight: a variable's read, or in a graph with frozen weights
   * ({@link FrozenWeights}) the constant and the placeholder in its place; null for other nodes.
   */
  private static String weightSuffix(NodeDef n) {
    String op = n.getOp();
    String name = n.getName();
    if ((op.equals("ReadVariableOp") || op.equals("PlaceholderWithDefault")) && name.endsWith(READ_SUFFIX)) {
      return READ_SUFFIX;
    }
    if (op.equals("Mul") && name.endsWith(ModelGraph.SCALED_SUFFIX)) {
      return ModelGraph.SCALED_SUFFIX; // a weight times its folded layer scale, read as the weight is
    }
    return op.equals("Const") && name.endsWith(FrozenWeights.VALUE_SUFFIX) ? FrozenWeights.VALUE_SUFFIX : null;
  }

  /**
   * The layer of the variable whose update reads each gradient node directly (within {@link #UPDATE_HOPS} ops of
   * its update, in name scopes): a matmul's weight gradient reads only activations, yet belongs to the weight's
   * layer. Shadow variables (an optimizer moment {@code optimizer.exp_avg.X}, an EMA copy {@code ema.X}) count
   * as the variable {@code X} they shadow.
   */
  private static Map<String, String> updatedLayers(List<NodeDef> nodes, Map<String, String> variableLayer) {
    Map<String, String> handleLayer = new HashMap<>();
    variableLayer.forEach((read, layer) -> {
      if (read.endsWith(READ_SUFFIX)) { // a frozen weight's constant is never updated
        handleLayer.put(read.substring(0, read.length() - READ_SUFFIX.length()), layer);
      }
    });
    Map<String, String> shadowed = new HashMap<>();
    for (String variable : handleLayer.keySet()) {
      for (int dot = variable.indexOf('.'); dot >= 0; dot = variable.indexOf('.', dot + 1)) {
        String layer = handleLayer.get(variable.substring(dot + 1));
        if (layer != null) {
          shadowed.put(variable, layer);
          break;
        }
      }
    }
    Function<String, String> variableOf = name -> {
      String handle = name.endsWith(READ_SUFFIX) ? name.substring(0, name.length() - READ_SUFFIX.length()) : name;
      return shadowed.getOrDefault(handle, handleLayer.get(handle));
    };
    Map<String, NodeDef> byName = new HashMap<>();
    nodes.forEach(n -> byName.put(n.getName(), n));
    Map<String, String> updated = new HashMap<>();
    for (NodeDef update : nodes) {
      if (!isScoped(update.getName())) {
        continue;
      }
      String layer = commonLayer(update, variableOf);
      if (layer == null) {
        continue;
      }
      List<NodeDef> level = List.of(update);
      for (int hop = 0; hop < UPDATE_HOPS && !level.isEmpty(); hop++) {
        List<NodeDef> next = new ArrayList<>();
        Deque<NodeDef> todo = new ArrayDeque<>(level);
        while (!todo.isEmpty()) {
          for (String input : todo.pop().getInputList()) {
            String name = nodeOf(input);
            if (isGradient(name)) {
              updated.merge(name, layer, LayerAttribution::commonPath);
              if (ReplicatedGradients.isReplicaGradientMean(name) && byName.containsKey(name)) {
                todo.push(byName.get(name)); // the replicas' gradients behind their mean, in the same hop
              }
            } else if (isScoped(name) && byName.containsKey(name)) {
              next.add(byName.get(name));
            }
          }
        }
        level = next;
      }
    }
    return updated;
  }

  /** Attributes {@code indices} (in creation order) by {@code direct}, else by the nearest attributed ones. */
  private static void attribute(List<NodeDef> nodes, List<Integer> indices,
      IntFunction<String> direct, Map<String, String> layerByNode) {
    String[] own = new String[indices.size()];
    for (int k = 0; k < indices.size(); k++) {
      own[k] = direct.apply(indices.get(k));
    }
    String[] before = new String[own.length];
    String[] after = new String[own.length];
    for (int k = 0; k < own.length; k++) {
      before[k] = own[k] != null ? own[k] : k > 0 ? before[k - 1] : null;
    }
    for (int k = own.length - 1; k >= 0; k--) {
      after[k] = own[k] != null ? own[k] : k + 1 < own.length ? after[k + 1] : null;
    }
    for (int k = 0; k < own.length; k++) {
      String layer = own[k];
      if (layer == null && before[k] != null && after[k] != null) {
        layer = commonPath(before[k], after[k]);
      }
      layerByNode.put(nodes.get(indices.get(k)).getName(), layer == null || layer.isEmpty() ? OUTSIDE : layer);
    }
  }

  /** The layer of a forward op of a layer, or null (outside nodes, scopes, gradients, not attributed yet). */
  private static Function<String, String> forwardLayers(Map<String, String> layerByNode) {
    return name -> {
      String layer = layerByNode.get(name);
      return layer == null || layer.equals(OUTSIDE) || layer.startsWith("(") || isGradient(name) ? null : layer;
    };
  }

  /** The common path of the layers {@code layers} gives the node's inputs, or null if it gives none. */
  private static String commonLayer(NodeDef node, Function<String, String> layers) {
    String common = null;
    for (String input : node.getInputList()) {
      String layer = layers.apply(nodeOf(input));
      if (layer != null) {
        common = common == null ? layer : commonPath(common, layer);
      }
    }
    return common;
  }

  /** A node's name scope, at most two levels deep ({@code train/adamw/Mul_3} is in {@code train/adamw}). */
  private static String scopeOf(String name) {
    int first = name.indexOf('/');
    int second = name.indexOf('/', first + 1);
    return second < 0 ? name.substring(0, first) : name.substring(0, second);
  }

  /** The layer of a node of the graph, or of a node the runtime derived from one (Grappler's rewrites). */
  public String layerOf(String node) {
    return graphNodeOf(node).map(layerByNode::get).orElse(RUNTIME);
  }

  /**
   * The layer of a node the runtime executed, of op type {@code type}: {@link #layerOf}, except for the launch of a
   * cluster of the graph's ops the runtime compiled (XLA's {@code _XlaRun}, {@code _XlaCompile}, named after the
   * cluster, not after its ops): the path shared by the layers of its inputs in the graph the runtime ran
   * ({@code inputs}), which are the cluster's arguments; {@link #RUNTIME} if none is a layer's.
   */
  public String layerOf(String node, String type, List<String> inputs) {
    String own = layerOf(node);
    if (!own.equals(RUNTIME) || !type.startsWith(XLA_LAUNCH)) {
      return own;
    }
    String common = null;
    for (String input : inputs) {
      String layer = layerOf(input);
      if (!layer.startsWith("(")) {
        common = common == null ? layer : commonPath(common, layer);
      }
    }
    return common == null || common.isEmpty() ? RUNTIME : common;
  }

  /** The op type the graph gives a node (before Grappler's rewrites), if the node is in the graph. */
  public Optional<String> typeOf(String node) {
    return Optional.ofNullable(typeByNode.get(node));
  }

  /**
   * The graph node a runtime node stands for: itself, else the longest graph node name embedded in it between
   * separators (Grappler names its new nodes after the ones they replace: {@code
   * ArithmeticOptimizer/AddOpsRewrite_Add_3}, {@code Conv2D_7-0-TransposeNHWCToNCHW-LayoutOptimizer}).
   */
  Optional<String> graphNodeOf(String node) {
    if (layerByNode.containsKey(node)) {
      return Optional.of(node);
    }
    String best = null;
    for (int start = 0; start < node.length(); start++) {
      if (start > 0 && !isSeparator(node.charAt(start - 1))) {
        continue;
      }
      for (int end = node.length(); end > start; end--) {
        if ((end == node.length() || isSeparator(node.charAt(end))) && (best == null || end - start > best.length())) {
          String candidate = node.substring(start, end);
          if (layerByNode.containsKey(candidate)) {
            best = candidate;
            break;
          }
        }
      }
    }
    return Optional.ofNullable(best);
  }

  private static boolean isSeparator(char c) {
    return c == '/' || c == '-' || c == '_' || c == ':';
  }

  /** Ops of layers are not in name scopes (see the class comment); the training step's own ops are. */
  private static boolean isScoped(String name) {
    return name.indexOf('/') > 0 && !isGradient(name);
  }

  /**
   * TF's gradient ops ({@code gradients/...}, {@code gradients_1/...}) or a replica's ({@link ReplicatedGradients}).
   */
  private static boolean isGradient(String name) {
    return TF_GRADIENT.matcher(name).matches() || ReplicatedGradients.isReplicaGradient(name);
  }

  private static String nodeOf(String input) {
    String name = input.startsWith("^") ? input.substring(1) : input;
    int colon = name.indexOf(':');
    return colon < 0 ? name : name.substring(0, colon);
  }

  /** The longest common prefix of two '.'-separated paths, whole components only. */
  static String commonPath(String a, String b) {
    String[] x = a.split("\\.");
    String[] y = b.split("\\.");
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < Math.min(x.length, y.length) && x[i].equals(y[i]); i++) {
      if (i > 0) {
        out.append('.');
      }
      out.append(x[i]);
    }
    return out.toString();
  }
}
