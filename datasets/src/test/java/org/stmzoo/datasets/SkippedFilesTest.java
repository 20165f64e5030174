package org.stmzoo.datasets;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class SkippedFilesTest {
  @Test
  void typesAreLowerCaseDistinctSortedWithNoExtensionLast() {
    SkippedFiles files = SkippedFiles.of(Stream.of("b.TXT", "a.txt", "README", "trailing.", "x.tar.gz", "c.Heic")
        .map(Path::of).toList());
    assertThat(files).isEqualTo(new SkippedFiles(6, List.of(".gz", ".heic", ".txt", "no extension")));
    assertThat(files.summary("")).isEqualTo("6 other files skipped: .gz, .heic, .txt, no extension");
    assertThat(SkippedFiles.of(List.of(Path.of("a.txt"))).summary(" of the folder"))
        .isEqualTo("1 other file of the folder skipped: .txt");
  }

  @Test
  void aSummaryNamesAHandfulOfTypesAndCountsTheRest() {
    SkippedFiles many = SkippedFiles.of(Stream.of("a.a", "b.b", "c.c", "d.d", "e.e", "f.f", "g.g")
        .map(Path::of).toList());
    assertThat(many.typeList()).isEqualTo(".a, .b, .c, .d, .e and 2 other types");
    assertThat(many.plus(SkippedFiles.of(List.of(Path.of("a.a"))))).isEqualTo(new SkippedFiles(8, many.types()));
    assertThat(SkippedFiles.NONE.plus(SkippedFiles.NONE).isEmpty()).isTrue();
  }
}
