package io.attune.simulators.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Sections other commands write into docs/results.md survive its regeneration. */
class ResultsPageSectionsTest {

  private static final ResultsPage.Context CONTEXT = new ResultsPage.Context(
      "./attune results --bundle b", "bundle", "machine", "2026-01-01", null);

  @Test
  void aSectionIsAppendedOnceAndReplacedInPlace(@TempDir Path dir) throws Exception {
    Path page = dir.resolve("results.md");
    Files.writeString(page, "# Results\n\ntext\n");

    ResultsPage.writeSection(page, "drift", "## Drift\n\nold: 1 of 2\n");
    ResultsPage.writeSection(page, "drift", "## Drift\n\nnew: 2 of 2\n");

    assertThat(Files.readString(page)).isEqualTo("# Results\n\ntext\n\n"
        + "<!-- section:drift -->\n## Drift\n\nnew: 2 of 2\n<!-- /section:drift -->\n");
  }

  @Test
  void regeneratingThePageKeepsEverySectionAfterTheNewNumbers(@TempDir Path dir)
      throws Exception {
    Path page = dir.resolve("results.md");
    ResultsPage.write(ResultsChecksTest.expected(), CONTEXT, page);
    ResultsPage.writeSection(page, "drift", "## Drift\n\n51 of 51");
    ResultsPage.writeSection(page, "other", "## Other\n\nx");

    ResultsPage.write(ResultsChecksTest.expected(), CONTEXT, page);

    String text = Files.readString(page);
    assertThat(text).startsWith(ResultsPage.render(ResultsChecksTest.expected(), CONTEXT));
    assertThat(text).endsWith("\n<!-- section:drift -->\n## Drift\n\n51 of 51\n"
        + "<!-- /section:drift -->\n\n<!-- section:other -->\n## Other\n\nx\n"
        + "<!-- /section:other -->\n");
    assertThat(ResultsPage.sections(text)).hasSize(2);
  }

  @Test
  void aSectionCreatesAMissingPageAndRejectsOddNames(@TempDir Path dir) throws Exception {
    Path page = dir.resolve("docs/results.md");

    ResultsPage.writeSection(page, "drift", "## Drift");

    assertThat(Files.readString(page)).isEqualTo(
        "<!-- section:drift -->\n## Drift\n<!-- /section:drift -->\n");
    assertThatThrownBy(() -> ResultsPage.writeSection(page, "a b", "x"))
        .hasMessageContaining("letters, digits and dashes");
  }
}
