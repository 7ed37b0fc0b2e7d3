package io.attune.simulators.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.attune.adaptation.bundle.ModelBundle;
import io.attune.adaptation.eval.RunReport;
import io.attune.adaptation.eval.StreamEvaluation;
import io.attune.adaptation.runtime.AdaptationStep;
import io.attune.adaptation.ReferenceModel;
import io.attune.simulators.FashionMnist;
import io.attune.simulators.corruption.Corruptions;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A small results run on the reference model: two corruptions, a few batches each. */
class ResultsRunTest {

  @TempDir
  static Path dir;

  private static ModelBundle bundle;
  private static AdaptationStep sessions;
  private static Results results;
  private static final List<Long> progress = new ArrayList<>();

  private static final ResultsPlan PLAN = new ResultsPlan(
      List.of("source", "norm", "norm-ema", "tent"), List.of("source", "norm-ema"),
      List.of(Corruptions.FOG, Corruptions.CONTRAST), 5, 64, 8, 96, 32, 0);

  @BeforeAll
  static void run() {
    bundle = ReferenceModel.prepareBundle(dir.resolve("bundle"));
    sessions = bundle.openStep(1);
    results = ResultsRun.run(bundle, sessions, FashionMnist.test(), PLAN, progress::add);
  }

  @AfterAll
  static void close() {
    sessions.close();
  }

  @Test
  void everySectionRunsItsMethodsOverTheSameSamples() {
    assertThat(results.perCorruption().domainNames()).containsExactly("fog:5", "contrast:5");
    assertThat(results.perCorruption().runs()).extracting(RunReport::method)
        .containsExactly("source", "norm", "norm-ema", "tent");
    assertThat(results.perCorruption().reset()).isEqualTo(StreamEvaluation.Reset.PER_DOMAIN);
    assertThat(results.continual().reset()).isEqualTo(StreamEvaluation.Reset.NEVER);
    assertThat(results.batchOne().runs()).extracting(RunReport::method)
        .containsExactly("source", "norm-ema");
    assertThat(results.batchOne().batch()).isEqualTo(1);
    assertThat(results.clean().domainNames()).containsExactly("clean");
    assertThat(results.clean().samplesPerDomain()).isEqualTo(96);
    for (Results.Section s : List.of(results.perCorruption(), results.continual(),
        results.batchOne(), results.clean())) {
      RunReport source = s.run("source").orElseThrow();
      assertThat(source.error()).isEqualTo(source.sourceError());
      assertThat(s.runs()).allSatisfy(r -> {
        assertThat(r.sourceError()).isEqualTo(source.sourceError());
        assertThat(r.samples()).isEqualTo(source.samples());
      });
    }
  }

  @Test
  void theCorruptedSectionsStreamAStratifiedSubsetPerCorruption() {
    RunReport norm = results.perCorruption().run("norm").orElseThrow();

    assertThat(norm.domains()).extracting(RunReport.DomainReport::labelled)
        .containsExactly(64L, 64L);
    assertThat(results.batchOne().run("norm-ema").orElseThrow().samples()).isEqualTo(16);
    assertThat(norm.meanDomainError()).isLessThan(norm.meanDomainSourceError());
  }

  @Test
  void progressCountsEveryMethodRunUpToThePlannedTotal() {
    long total = PLAN.totalSamples(FashionMnist.test().count());

    assertThat(total).isEqualTo(2 * 128 * 4 + 16 * 2 + 96 * 4);
    assertThat(progress).isSorted().last().isEqualTo(total);
  }

  @Test
  void thePageShowsTheChecksAndEverySection() throws Exception {
    Path page = dir.resolve("docs/results.md");
    ResultsPage.write(results, new ResultsPage.Context("./attune results --bundle b",
        "fmnist-resnet", "2 cores", "2026-11-26", "results.png"), page);

    String md = Files.readString(page);
    assertThat(md).startsWith("# Results")
        .contains("./attune results --bundle b")
        .contains("## Checks").contains("| SKIPPED | eata's mean error is at most norm's")
        .contains("## Per corruption").contains("| corruption | source | norm | norm-ema | tent |")
        .contains("| fog:5 |").contains("| **mean** |")
        .contains("## Continual").contains("## Batch size 1").contains("## Clean data")
        .contains("![Mean error over the corruptions per method](results.png)")
        .contains("64 per corruption");
    assertThat(md.lines().filter(l -> l.startsWith("| PASS") || l.startsWith("| MISS")
        || l.startsWith("| SKIPPED"))).hasSize(14);
  }

  @Test
  void theChartIsAPng() throws Exception {
    Path png = dir.resolve("chart/results.png");

    ResultsChart.write(results, png);

    BufferedImage image = ImageIO.read(png.toFile());
    assertThat(image.getWidth()).isEqualTo(960);
    assertThat(image.getHeight()).isEqualTo(480);
  }

  @Test
  void anUnknownMethodIsNamedBeforeAnythingRuns() {
    ResultsPlan plan = new ResultsPlan(List.of("norm", "bogus"), List.of(),
        List.of(Corruptions.FOG), 5, 8, 1, 8, 8, 0);

    assertThatThrownBy(() -> ResultsRun.run(bundle, sessions, FashionMnist.test(), plan,
        n -> { })).hasMessageContaining("unknown method 'bogus'");
  }

  @Test
  void aPlanReportsEveryBadValueAtOnce() {
    assertThatThrownBy(() -> new ResultsPlan(List.of(), List.of(), List.of(), 6, 0, 1, 1, 0, 0))
        .hasMessage("results plan: no method to run; no corruption to run; severity must be 1 "
            + "to 5, got 6; sample counts must be at least 1, got 0, 1 and 1; batch must be at "
            + "least 1, got 0");
  }
}
