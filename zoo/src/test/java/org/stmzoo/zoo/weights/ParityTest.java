package org.stmzoo.zoo.weights;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import org.junit.jupiter.api.Test;

/** The reference fixtures' logits are reproduced from their imported weights (README: within about 1e-4). */
class ParityTest {
  @Test
  void unifiedConvNeXtMicro() throws IOException {
    assertParity("u-convnext-micro", "unified_convnext_micro");
  }

  @Test
  void pitTiny() throws IOException {
    assertParity("pit-ti", "pit_ti_224");
  }

  private static void assertParity(String model, String fixture) throws IOException {
    RawTensor expected = NpyFile.read(ReferenceParity.fixture(fixture + ".logits.npy"));
    float[][] actual = ReferenceParity.logits(model, fixture);
    double diff = ReferenceParity.maxAbsDifference(actual, expected);
    System.out.println(model + " max |logits - reference| = " + diff);
    assertThat(diff).isLessThanOrEqualTo(1e-4);
  }
}
