package org.stmzoo.layers.basic;

/**
 * How a model initialises its Linear layers. timm's ViT re-initialises every Linear with trunc-normal(0.02)
 * and zero bias, while PiT re-initialises only its LayerNorms and keeps PyTorch's default
 * U(+-1/sqrt(fan_in)); layers built from several Linears (attention, MLP) take one of these so each model
 * can follow its own reference.
 */
@FunctionalInterface
public interface LinearInit {
  Dense.Config config(int inFeatures, int outFeatures, boolean bias);

  /** trunc-normal(0.02) kernel, zero bias (timm's {@code init_weights_vit_timm}). */
  static LinearInit timm() {
    return Dense.Config::of;
  }

  /** PyTorch's nn.Linear default, for models that never re-initialise their Linears. */
  static LinearInit torchDefault() {
    return Dense.Config::torchDefault;
  }
}
