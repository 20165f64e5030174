package org.stmzoo.zoo.benchmark;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.NodeDef;

/** Each attribution rule on a hand-written graph in creation order. */
class LayerAttributionTest {
  private static NodeDef node(String name, String op, String... inputs) {
    NodeDef.Builder b = NodeDef.newBuilder().setName(name).setOp(op);
    for (String in : inputs) {
      b.addInput(in);
    }
    return b.build();
  }

  private static final GraphDef GRAPH = GraphDef.newBuilder()
      .addNode(node("images", "Placeholder"))
      .addNode(node("blocks.0.attn.qkv.kernel", "VarHandleOp"))
      .addNode(node("blocks.0.attn.qkv.kernel.read", "ReadVariableOp", "blocks.0.attn.qkv.kernel"))
      .addNode(node("blocks.0.attn.proj.kernel", "VarHandleOp"))
      .addNode(node("blocks.0.attn.proj.kernel.read", "ReadVariableOp", "blocks.0.attn.proj.kernel"))
      .addNode(node("blocks.1.norm1.weight", "VarHandleOp"))
      .addNode(node("blocks.1.norm1.weight.read", "ReadVariableOp", "blocks.1.norm1.weight"))
      .addNode(node("MatMul", "MatMul", "images", "blocks.0.attn.qkv.kernel.read:0"))
      .addNode(node("Softmax", "Softmax", "MatMul"))
      .addNode(node("MatMul_1", "MatMul", "Softmax", "blocks.0.attn.proj.kernel.read"))
      .addNode(node("Add", "AddV2", "MatMul_1", "images"))
      .addNode(node("Mul", "Mul", "Add", "blocks.1.norm1.weight.read"))
      .addNode(node("Sum", "Sum", "Mul"))
      .addNode(node("gradients/OnesLike", "OnesLike", "Sum"))
      .addNode(node("gradients/MatMul", "MatMul", "gradients/OnesLike", "blocks.0.attn.proj.kernel.read"))
      .addNode(node("gradients/Shape", "Shape", "gradients/MatMul"))
      .addNode(node("gradients/Mul", "Mul", "gradients/Shape", "Softmax"))
      .addNode(node("gradients/Reshape", "Reshape", "gradients/Mul"))
      .addNode(node("gradients/MatMul_1", "MatMul", "gradients/Reshape", "images"))
      .addNode(node("train/adamw/update", "AssignSubVariableOp", "blocks.0.attn.qkv.kernel", "gradients/MatMul_1"))
      .addNode(node("train/lr", "Placeholder"))
      .build();

  private final LayerAttribution layers = LayerAttribution.of(GRAPH);

  @Test
  void aNodeReadingAVariableBelongsToItsLayer() {
    assertThat(layers.layerOf("MatMul")).isEqualTo("blocks.0.attn.qkv");
    assertThat(layers.layerOf("MatMul_1")).isEqualTo("blocks.0.attn.proj");
    assertThat(layers.layerOf("Mul")).isEqualTo("blocks.1.norm1");
    assertThat(layers.layerOf("blocks.0.attn.qkv.kernel.read")).isEqualTo("blocks.0.attn.qkv");
  }

  @Test
  void frozenWeightsBelongToTheirLayersAsVariablesDo() {
    // FrozenWeights: a Const and a PlaceholderWithDefault in place of each variable; after Grappler the
    // consumers may read the Const directly
    LayerAttribution frozen = LayerAttribution.of(GraphDef.newBuilder()
        .addNode(node("images", "Placeholder"))
        .addNode(node("blocks.0.attn.qkv.kernel.value", "Const"))
        .addNode(node("blocks.0.attn.qkv.kernel.read", "PlaceholderWithDefault", "blocks.0.attn.qkv.kernel.value"))
        .addNode(node("blocks.0.mlp.fc1.kernel.value", "Const"))
        .addNode(node("blocks.0.mlp.fc1.kernel.read", "PlaceholderWithDefault", "blocks.0.mlp.fc1.kernel.value"))
        .addNode(node("MatMul", "MatMul", "images", "blocks.0.attn.qkv.kernel.read"))
        .addNode(node("Softmax", "Softmax", "MatMul"))
        .addNode(node("MatMul_1", "MatMul", "Softmax", "blocks.0.mlp.fc1.kernel.value"))
        .addNode(node("scale", "Const"))
        .build());
    assertThat(frozen.layerOf("MatMul")).isEqualTo("blocks.0.attn.qkv");
    assertThat(frozen.layerOf("MatMul_1")).isEqualTo("blocks.0.mlp.fc1");
    assertThat(frozen.layerOf("Softmax")).isEqualTo("blocks.0");
    assertThat(frozen.layerOf("blocks.0.mlp.fc1.kernel.value")).isEqualTo("blocks.0.mlp.fc1");
    assertThat(frozen.layerOf("scale")).isEqualTo(LayerAttribution.OUTSIDE);
  }

  @Test
  void aWeightTimesItsFoldedLayerScaleBelongsToTheWeightsLayer() {
    // ModelGraph#weight in an inference call: the projection reads kernel * gamma, named after the kernel
    GraphDef.Builder graph = GraphDef.newBuilder().addNode(node("images", "Placeholder"));
    for (String variable : new String[] {"blocks.0.mlp.fc1.kernel", "blocks.0.mlp.fc2.kernel",
        "blocks.0.layer_scale2.gamma"}) {
      graph.addNode(node(variable, "VarHandleOp")).addNode(node(variable + ".read", "ReadVariableOp", variable));
    }
    LayerAttribution folded = LayerAttribution.of(graph
        .addNode(node("MatMul", "MatMul", "images", "blocks.0.mlp.fc1.kernel.read"))
        .addNode(node("Erf", "Erf", "MatMul"))
        .addNode(node("blocks.0.mlp.fc2.kernel.scaled", "Mul", "blocks.0.mlp.fc2.kernel.read",
            "blocks.0.layer_scale2.gamma.read"))
        .addNode(node("MatMul_1", "MatMul", "Erf", "blocks.0.mlp.fc2.kernel.scaled"))
        .build());
    assertThat(folded.layerOf("blocks.0.mlp.fc2.kernel.scaled")).isEqualTo("blocks.0.mlp.fc2");
    assertThat(folded.layerOf("MatMul_1")).isEqualTo("blocks.0.mlp.fc2");
    assertThat(folded.layerOf("Erf")).isEqualTo("blocks.0.mlp");
  }

  @Test
  void aNodeBetweenLayersGetsThePathTheyShare() {
    assertThat(layers.layerOf("Softmax")).isEqualTo("blocks.0.attn");
    assertThat(layers.layerOf("Add")).isEqualTo("blocks");
    assertThat(layers.layerOf("images")).isEqualTo(LayerAttribution.OUTSIDE);
    assertThat(layers.layerOf("Sum")).isEqualTo(LayerAttribution.OUTSIDE); // nothing attributed after it
  }

  @Test
  void gradientsFollowTheForwardNodesTheyReadAndScopesNameThemselves() {
    assertThat(layers.layerOf("gradients/MatMul")).isEqualTo("blocks.0.attn.proj"); // reads the variable
    assertThat(layers.layerOf("gradients/Mul")).isEqualTo("blocks.0.attn"); // reads the forward Softmax
    assertThat(layers.layerOf("gradients/Shape")).isEqualTo("blocks.0.attn"); // between the two
    assertThat(layers.layerOf("gradients/OnesLike")).isEqualTo(LayerAttribution.OUTSIDE); // reads only Sum
    assertThat(layers.layerOf("gradients/MatMul_1")).isEqualTo("blocks.0.attn.qkv"); // the update reads it
    assertThat(layers.layerOf("gradients/Reshape")).isEqualTo("blocks.0.attn"); // between Mul and MatMul_1
    assertThat(layers.layerOf("train/adamw/update")).isEqualTo("(train/adamw)");
    assertThat(layers.layerOf("train/lr")).isEqualTo("(train)");
  }

  @Test
  void runtimeNodesAreMatchedToTheGraphNodeTheyEmbed() {
    assertThat(layers.layerOf("MatMul_1-0-TransposeNHWCToNCHW-LayoutOptimizer")).isEqualTo("blocks.0.attn.proj");
    assertThat(layers.layerOf("ArithmeticOptimizer/AddOpsRewrite_Softmax")).isEqualTo("blocks.0.attn");
    assertThat(layers.layerOf("_SOURCE")).isEqualTo(LayerAttribution.RUNTIME);
    assertThat(layers.typeOf("Softmax")).contains("Softmax");
  }

  @Test
  void aCompiledClusterBelongsToTheLayersOfItsArguments() {
    // An XLA launch is named after its cluster; its inputs in the executed graph are the cluster's arguments.
    assertThat(layers.layerOf("cluster_3_1/xla_run", "_XlaRun", List.of("MatMul", "Softmax",
        "cluster_3_1/xla_compile", "images"))).isEqualTo("blocks.0.attn");
    assertThat(layers.layerOf("cluster_4_1/xla_run", "_XlaRun", List.of("cluster_4_1/xla_compile")))
        .isEqualTo(LayerAttribution.RUNTIME);
    assertThat(layers.layerOf("Softmax", "_MklSoftmax", List.of("MatMul_1"))).isEqualTo("blocks.0.attn");
  }

  @Test
  void commonPathKeepsWholeComponents() {
    assertThat(LayerAttribution.commonPath("blocks.1.attn", "blocks.10.attn")).isEqualTo("blocks");
    assertThat(LayerAttribution.commonPath("a.b", "c")).isEmpty();
  }
}
