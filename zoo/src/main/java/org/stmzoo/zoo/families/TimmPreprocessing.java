package org.stmzoo.zoo.families;

import org.stmzoo.layers.core.Preprocessing;

/** Evaluation preprocessing of timm's default_cfgs that differ from {@link Preprocessing#imagenet()}. */
final class TimmPreprocessing {
  private TimmPreprocessing() {}

  /** ImageNet mean/std and bicubic resizing with crop_pct 0.9, the default_cfg of timm's PiT and DeiT models. */
  static Preprocessing imagenetCrop09() {
    Preprocessing imagenet = Preprocessing.imagenet();
    return new Preprocessing(imagenet.mean(), imagenet.std(), 0.9f, imagenet.interpolation());
  }
}
