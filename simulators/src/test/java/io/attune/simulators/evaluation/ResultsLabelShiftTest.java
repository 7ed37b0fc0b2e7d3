package io.attune.simulators.evaluation;

import static org.assertj.core.api.Assertions.assertThat;

import io.attune.adaptation.ReferenceModel;
import io.attune.adaptation.bundle.ModelBundle;
import io.attune.adaptation.eval.RunReport;
import io.attune.adaptation.eval.StreamEvaluation;
import io.attune.adaptation.runtime.AdaptationStep;
import io.attune.simulators.FashionMnist;
import io.attune.simulators.corruption.Corruptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The label-shift and mixed sections of a results run, and taking runs over from the archive
 * of an earlier one.
 */
class ResultsLabelShiftTest {

  @TempDir
  static Path dir;

  private static final ResultsPlan PLAN = new ResultsPlan(List.of("source", "norm", "tent"),
      List.of("source"), List.of(Corruptions.FOG, Corruptions.CONTRAST), 5, 64, 8, 32, 32, 0,
      List.of("sorted", "dirichlet:0.1"), List.of(3, 5), 40, 32);

  private static ModelBundle bundle;
  private static AdaptationStep sessions;
  private static Results results;

  @BeforeAll
  static void run() {
    bundle = ReferenceModel.sharedBundle();
    sessions = bundle.openStep(1);
    results = ResultsRun.run(bundle, sessions, FashionMnist.test(), PLAN, n -> { });
  }

  @AfterAll
  static void close() {
    sessions.close();
  }

  @Test
  void thereIsOneLabelShiftSectionPerOrderAndSeverityAndOneMixedSection() {
    assertThat(results.labelShift()).extracting(Results.Section::schedule).containsExactly(
        "continual:fog:3,contrast:3+sorted", "continual:fog:5,contrast:5+sorted",
        "continual:fog:3,contrast:3+dirichlet:0.1", "continual:fog:5,contrast:5+dirichlet:0.1");
    assertThat(results.labelShift()).allSatisfy(s -> {
      assertThat(s.reset()).isEqualTo(StreamEvaluation.Reset.PER_DOMAIN);
      assertThat(s.samplesPerDomain()).isEqualTo(40);
      assertThat(s.runs()).extracting(RunReport::method).containsExactly("source", "norm",
          "tent");
    });
    Results.Section mixed = results.mixed().orElseThrow();
    assertThat(mixed.schedule()).isEqualTo("mixed:fog:5,contrast:5");
    assertThat(mixed.reset()).isEqualTo(StreamEvaluation.Reset.NEVER);
    assertThat(mixed.run("norm").orElseThrow().samples()).isEqualTo(64);
  }

  @Test
  void aClassSortedBatchHurtsTestTimeBatchNormalization() {
    Results.Section sorted = results.labelShift().get(1);
    Results.Section iid = results.perCorruption();

    double sortedGain = sorted.run("norm").orElseThrow().meanDomainSourceError()
        - sorted.run("norm").orElseThrow().meanDomainError();
    double iidGain = iid.run("norm").orElseThrow().meanDomainSourceError()
        - iid.run("norm").orElseThrow().meanDomainError();
    assertThat(sortedGain).isLessThan(iidGain);
  }

  @Test
  void theArchiveGivesBackEveryRunAndASecondRunTakesThemOver() throws Exception {
    Path archive = dir.resolve("results.json");
    ResultsArchive.write(results, "fmnist@sha256:x", "2026-11-26", archive);
    ResultsArchive.Archive read = ResultsArchive.read(archive);
    assertThat(read.model()).isEqualTo("fmnist@sha256:x");

    Results again = ResultsRun.run(bundle, sessions, FashionMnist.test(), PLAN, n -> { }, read,
        Set.of("tent"));

    long runs = again.sections().stream().mapToLong(s -> s.runs().size()).sum();
    assertThat(again.reused()).hasSize((int) (runs - again.sections().stream()
        .filter(s -> s.run("tent").isPresent()).count()));
    assertThat(again.reused()).noneMatch(r -> r.startsWith("tent @"));
    for (int i = 0; i < results.sections().size(); i++) {
      Results.Section before = results.sections().get(i);
      Results.Section after = again.sections().get(i);
      for (RunReport run : before.runs()) {
        RunReport other = after.run(run.method()).orElseThrow();
        assertThat(other.domains()).as(run.method() + " on " + before.schedule())
            .isEqualTo(run.domains());
      }
    }
    Path page = dir.resolve("page.md");
    ResultsPage.write(again, new ResultsPage.Context("./attune results --bundle b",
        "fmnist-resnet", "2 cores", "2026-11-27", null, read.date()), page);
    assertThat(Files.readString(page)).contains("## Label shift")
        .contains("| method | sorted, severity 3 | sorted, severity 5 | dirichlet:0.1, severity 3")
        .contains("## Mixed domains")
        .contains("were taken over from the archive of 2026-11-26");
  }
}
