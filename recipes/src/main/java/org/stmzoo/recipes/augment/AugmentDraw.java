package org.stmzoo.recipes.augment;

/**
 * The random decisions of one training step's batch augmentation, drawn in Java and fed to the graph.
 *
 * @param imageLambda weight of each image against its mirror (batch reversed) in the pixel blend: the Mixup
 *     lambda, or 1 for CutMix and for no mixing
 * @param labelLambda weight of each image's own label in the soft target: the Mixup lambda, or for CutMix
 *     1 minus the pasted box's share of the image
 * @param pasteBox the CutMix box {@code {yLow, yHigh, xLow, xHigh}} (half-open) pasted from the mirror image;
 *     empty ({@code yLow == yHigh}) when no CutMix
 * @param eraseBoxes per image {@code {top, height, left, width}} of the random-erasing rectangle, row-major
 *     {@code [batch, 4]}; height 0 for an image not erased
 * @param noiseSeed the stateless seed of the per-pixel normal values that fill erased rectangles
 */
public record AugmentDraw(float imageLambda, float labelLambda, int[] pasteBox, int[] eraseBoxes, long[] noiseSeed) {
  public boolean cutmix() {
    return pasteBox[1] > pasteBox[0] && pasteBox[3] > pasteBox[2];
  }
}
