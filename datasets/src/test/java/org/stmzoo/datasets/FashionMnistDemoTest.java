package org.stmzoo.datasets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.stmzoo.datasets.download.DownloadFailedException;

/** The embedded subset, the ImageNet names, and the one-line failure of a data download without network. */
class FashionMnistDemoTest {
  @TempDir Path dir;

  @Test
  void theDemoSubsetIsBalancedAndSmall() throws IOException {
    FashionMnist train = FashionMnist.loadDemo(FashionMnist.Split.TRAIN);
    FashionMnist test = FashionMnist.loadDemo(FashionMnist.Split.TEST);
    assertThat(train.size()).isEqualTo(5000);
    assertThat(test.size()).isEqualTo(1000);
    int[] perClass = new int[10];
    double ink = 0;
    for (int i = 0; i < train.size(); i++) {
      LabeledImage image = train.get(i);
      perClass[image.label()]++;
      for (float p : image.pixels()) {
        ink += p;
      }
    }
    assertThat(perClass).containsOnly(500);
    assertThat(ink / train.size() / (28 * 28)).as("real images, not blanks").isBetween(0.2, 0.4);
    assertThat(train.description()).contains("embedded demo subset");
    long bytes = 0;
    for (String name : new String[] {"train-images", "train-labels", "t10k-images", "t10k-labels"}) {
      try (var in = FashionMnist.class.getResourceAsStream("fashion-mnist-demo/" + name
          + (name.endsWith("images") ? "-idx3-ubyte.gz" : "-idx1-ubyte.gz"))) {
        bytes += in.readAllBytes().length;
      }
    }
    assertThat(bytes).as("small enough to commit").isLessThan(3L << 20);
    assertThat(FashionMnist.class.getResource("fashion-mnist-demo/LICENSE")).isNotNull();
  }

  @Test
  void isInstalledLooksAtTheCacheAndDebiansFolder() throws IOException {
    boolean debian = FashionMnist.missingFiles(Path.of(FashionMnist.DEBIAN_FOLDER)).isEmpty();
    assertThat(FashionMnist.isInstalled(dir)).isEqualTo(debian);
    for (FashionMnist.Split split : FashionMnist.Split.values()) {
      Files.write(dir.resolve(split.imagesFile()), new byte[0]);
      Files.write(dir.resolve(split.labelsFile()), new byte[0]);
    }
    assertThat(FashionMnist.isInstalled(dir)).isTrue();
  }

  @Test
  void aDownloadWithoutNetworkIsOneLineWithTheRemedies() throws IOException {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = s.getLocalPort();
    }
    URI base = URI.create("http://127.0.0.1:" + closedPort + "/");
    FashionMnistDownload download = new FashionMnistDownload(base, Map.of("train-labels-idx1-ubyte.gz",
        "00".repeat(32)));
    assertThatThrownBy(() -> download.downloadInto(dir)).isInstanceOf(DownloadFailedException.class)
        .hasMessageStartingWith("could not download " + base + "train-labels-idx1-ubyte.gz: cannot connect")
        .hasMessageContaining("apt-get install -y dataset-fashion-mnist")
        .hasMessageContaining("--data fashion-mnist:FOLDER")
        .hasMessageContaining("--data fashion-mnist-demo")
        .satisfies(e -> assertThat(e.toString()).doesNotContain("\n").doesNotContain("Exception"));
    assertThat(dir.resolve("train-labels-idx1-ubyte.gz.part")).doesNotExist();
  }

  @Test
  void imageNetHasItsThousandNamesInIndexOrder() {
    assertThat(ImageNetClasses.names()).hasSize(1000).doesNotHaveDuplicates();
    assertThat(ImageNetClasses.names().get(0)).isEqualTo("tench");
    assertThat(ImageNetClasses.names().get(281)).isEqualTo("tabby cat");
    assertThat(ImageNetClasses.names().get(999)).isEqualTo("toilet paper");
  }
}
