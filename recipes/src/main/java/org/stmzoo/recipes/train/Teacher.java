package org.stmzoo.recipes.train;

import java.util.function.Function;
import org.stmzoo.layers.core.ImageClassifier;
import org.stmzoo.layers.core.LayerScope;

/**
 * A distillation teacher: how to build it (under the scope it is given, which is {@code teacher/} in the
 * student's graph) and the checkpoint prefix its weights come from (keys without the {@code teacher/} prefix,
 * as a stmzoo run writes them).
 */
public record Teacher(Function<LayerScope, ImageClassifier> builder, String checkpointPrefix) {}
