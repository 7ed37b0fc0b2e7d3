package io.attune.simulators.export;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.attune.adaptation.data.ArrayReader;
import io.attune.adaptation.data.ByteData;
import io.attune.adaptation.data.DType;
import io.attune.adaptation.data.LabeledReader;
import io.attune.adaptation.data.LongData;
import io.attune.adaptation.data.Shape;
import io.attune.simulators.FashionMnist;
import io.attune.simulators.schedule.LabeledImages;
import io.attune.simulators.schedule.Schedule;
import io.attune.simulators.schedule.ShiftBatch;
import io.attune.simulators.schedule.ShiftStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ShiftExportTest {

  private static final LabeledImages SOURCE = FashionMnist.test().head(1500);

  @TempDir
  private Path dir;

  @ParameterizedTest
  @EnumSource(ExportFormat.class)
  void exportedArraysReadBackAsTheStream(ExportFormat format) throws Exception {
    final Schedule schedule = Schedule.parse("continual:gaussian_noise:5,fog:2,clean+sorted");
    final ShiftBatch expected = ShiftStream.open(schedule, SOURCE, 4).next(10_000);
    final List<Long> progress = new ArrayList<>();

    final ExportSummary summary = ShiftExport.write(ShiftStream.open(schedule, SOURCE, 4), dir,
        format, progress::add);

    assertThat(summary.samples()).isEqualTo(4500);
    assertThat(progress).endsWith(4500L);
    assertThat(summary.perDomain()).containsExactly(1500L, 1500L, 1500L);
    final ByteData images = ArrayReader.loadBytes(summary.images());
    assertThat(images.dtype()).isEqualTo(DType.UINT8);
    assertThat(images.shape()).isEqualTo(Shape.of(4500, 28, 28));
    assertThat(images.data()).isEqualTo(expected.images());
    assertThat(longs(summary.labels())).isEqualTo(widen(expected.labels()));
    assertThat(longs(summary.domains())).isEqualTo(widen(expected.domains()));
    assertThat(longs(summary.ood())).containsOnly(0L);
    assertThat(Files.list(dir).map(p -> p.getFileName().toString()))
        .containsExactlyInAnyOrder(format.fileName("images"), format.fileName("labels"),
            format.fileName("domains"), format.fileName("ood"), "schedule.json");
  }

  @ParameterizedTest
  @EnumSource(ExportFormat.class)
  void imagesAndLabelsPairUpForEvaluate(ExportFormat format) throws Exception {
    final ExportSummary summary = ShiftExport.write(
        ShiftStream.open(Schedule.parse("pixelate:3"), SOURCE, 0).limit(700), dir, format,
        done -> { });

    try (LabeledReader pair = LabeledReader.open(summary.images(), summary.labels())) {
      assertThat(pair.count()).isEqualTo(700);
      assertThat(pair.labels().dtype()).isEqualTo(DType.UINT8);
      assertThat(pair.readAll().labels().data()).isEqualTo(
          Arrays.stream(Arrays.copyOf(SOURCE.labels(), 700)).asLongStream().toArray());
    }
  }

  @ParameterizedTest
  @EnumSource(ExportFormat.class)
  void openSetLabelsAreWrittenAsInt8MinusOneBesideTheirFlags(ExportFormat format)
      throws Exception {
    final ExportSummary summary = ShiftExport.write(ShiftStream.open(
        Schedule.parse("mixed:fog:1,jpeg:1+openset:0.1+samples:450"), SOURCE, 0), dir, format,
        done -> { });

    final long[] labels = longs(summary.labels());
    final long[] ood = longs(summary.ood());
    assertThat(ArrayReader.open(summary.labels()).dtype()).isEqualTo(DType.INT8);
    assertThat(labels).hasSize(1000);
    assertThat(Arrays.stream(ood).sum()).isEqualTo(100);
    for (int i = 0; i < labels.length; i++) {
      assertThat(labels[i] == -1).isEqualTo(ood[i] == 1);
    }
  }

  @ParameterizedTest
  @EnumSource(ExportFormat.class)
  void scheduleJsonDescribesTheDomainsAndFiles(ExportFormat format) throws Exception {
    final ExportSummary summary = ShiftExport.write(ShiftStream.open(
        Schedule.parse("gradual:contrast:2+samples:50"), SOURCE, 12), dir, format, done -> { });

    final JsonNode json = new ObjectMapper().readTree(summary.description().toFile());
    assertThat(json.get("spec").asText()).isEqualTo("gradual:contrast:2+samples:50");
    assertThat(Schedule.parse(json.get("schedule").toString()))
        .isEqualTo(Schedule.parse("gradual:contrast:2+samples:50"));
    assertThat(json.get("seed").asLong()).isEqualTo(12);
    assertThat(json.get("samples").asLong()).isEqualTo(150);
    assertThat(json.get("files").get("labels").asText()).isEqualTo(format.fileName("labels"));
    assertThat(json.get("domains")).hasSize(3);
    assertThat(json.get("domains").get(1).get("severity").asInt()).isEqualTo(2);
    assertThat(json.get("domains").get(2).get("samples").asLong()).isEqualTo(50);
  }

  @ParameterizedTest
  @EnumSource(ExportFormat.class)
  void aStreamOfManyStagesGetsWiderDomainIndices(ExportFormat format) throws Exception {
    final String many = "continual:" + String.join(",", java.util.Collections.nCopies(300,
        "fog:1")) + "+samples:1";

    final ExportSummary summary = ShiftExport.write(
        ShiftStream.open(Schedule.parse(many), SOURCE, 0), dir, format, done -> { });

    assertThat(ArrayReader.open(summary.domains()).dtype()).isEqualTo(DType.INT16);
    assertThat(longs(summary.domains())[299]).isEqualTo(299);
  }

  private static long[] longs(Path file) throws Exception {
    final LongData data = ArrayReader.loadLongs(file);
    return data.data();
  }

  private static long[] widen(int[] values) {
    return Arrays.stream(values).asLongStream().toArray();
  }
}
