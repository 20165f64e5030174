package org.stmzoo.export;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExportRoundTripTest {
  @TempDir
  Path dir;

  @Test
  void smoke() throws Exception {
    SavedModelExporter.ExportResult result =
        SavedModelExporter.export(TinyClassifier.request(WeightSource.randomInit()), dir, 1);
    System.out.println("probe logits " + java.util.Arrays.toString(result.probeLogits()[0]));
    System.out.println("reload diff " + result.verifyReload());
    ClassifierOutputs fresh = ExportRunner.inFreshJvm(dir, "--probe", "2");
    System.out.println("fresh " + java.util.Arrays.toString(fresh.logits()[0]) + " " + fresh.top(0));
  }
}
