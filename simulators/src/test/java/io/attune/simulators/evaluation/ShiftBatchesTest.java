package io.attune.simulators.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.attune.adaptation.bundle.ModelBundle;
import io.attune.adaptation.eval.StreamEvaluation.LabelledBatch;
import io.attune.simulators.FashionMnist;
import io.attune.adaptation.ReferenceModel;
import io.attune.simulators.corruption.ImageShape;
import io.attune.simulators.schedule.LabeledImages;
import io.attune.simulators.schedule.Schedule;
import io.attune.simulators.schedule.ShiftBatch;
import io.attune.simulators.schedule.ShiftStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ShiftBatchesTest {

  @TempDir
  static Path dir;

  private static ModelBundle bundle;

  @BeforeAll
  static void prepare() {
    bundle = ReferenceModel.prepareBundle(dir.resolve("bundle"));
  }

  private static ShiftStream stream(String schedule) {
    return ShiftStream.open(Schedule.parse(schedule), FashionMnist.test(), 3);
  }

  private static List<LabelledBatch> all(ShiftBatches batches) {
    List<LabelledBatch> out = new ArrayList<>();
    batches.forEach(out::add);
    return out;
  }

  @Test
  void batchesEndWhereADomainEndsWhenAskedTo() {
    ShiftBatches cut = ShiftBatches.of(stream("continual:fog:5,contrast:5+samples:100"),
        bundle.manifest(), 64, true);

    List<LabelledBatch> batches = all(cut);

    assertThat(batches).extracting(LabelledBatch::size).containsExactly(64, 36, 64, 36);
    assertThat(batches).allSatisfy(b -> assertThat(b.domains()).containsOnly(b.domains()[0]));
    assertThat(cut.count()).isEqualTo(200);
    assertThat(cut.domainName(0)).isEqualTo("fog:5");
    assertThat(cut.domainName(1)).isEqualTo("contrast:5");
  }

  @Test
  void withoutCuttingBatchesAreFullAndEveryIterationReplaysTheSameSamples() {
    ShiftBatches whole = ShiftBatches.of(stream("continual:fog:5,contrast:5+samples:100"),
        bundle.manifest(), 64, false);

    List<LabelledBatch> first = all(whole);
    List<LabelledBatch> second = all(whole);

    assertThat(first).extracting(LabelledBatch::size).containsExactly(64, 64, 64, 8);
    assertThat(first.get(1).domains()).contains(0, 1);
    for (int b = 0; b < first.size(); b++) {
      assertThat(second.get(b).inputs()).isEqualTo(first.get(b).inputs());
      assertThat(second.get(b).labels()).isEqualTo(first.get(b).labels());
    }
  }

  @Test
  void theInputsAreTheSimulatorsPixelsPreprocessedForTheModel() {
    ShiftStream reference = stream("gaussian_noise:5+samples:70");
    ShiftBatch raw = reference.next(70);

    List<LabelledBatch> batches = all(ShiftBatches.of(stream("gaussian_noise:5+samples:70"),
        bundle.manifest(), 64, true));

    float[] expected = bundle.manifest().preprocess(raw.images(), 70);
    float[] got = new float[expected.length];
    System.arraycopy(batches.get(0).inputs(), 0, got, 0, 64 * 784);
    System.arraycopy(batches.get(1).inputs(), 0, got, 64 * 784, 6 * 784);
    assertThat(got).isEqualTo(expected);
    assertThat(batches.get(1).labels()).isEqualTo(Arrays.copyOfRange(raw.labels(), 64, 70));
  }

  @Test
  void imagesOfAnotherShapeThanTheModelsAreRefused() {
    LabeledImages colour = new LabeledImages(new ImageShape(3, 28, 28), new byte[3 * 784],
        new int[] {1});
    ShiftStream stream = ShiftStream.open(Schedule.parse("fog:5"), colour, 0);

    assertThatThrownBy(() -> ShiftBatches.of(stream, bundle.manifest(), 64, true))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("the stream's images are 3 x 28 x 28 but model fmnist-resnet takes "
            + "[1, 28, 28]");
  }

  @Test
  void aMixedScheduleCannotBeCutPerDomain() {
    assertThatThrownBy(() -> ShiftBatches.of(stream("mixed:fog:5,contrast:5+samples:10"),
        bundle.manifest(), 64, true))
        .hasMessageContaining("mixed schedule").hasMessageContaining("reset never");
    assertThat(ShiftBatches.of(stream("mixed:fog:5,contrast:5+samples:10"), bundle.manifest(),
        64, false).count()).isEqualTo(20);
  }
}
