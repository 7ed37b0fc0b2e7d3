package io.attune.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Nobody changes a schema without recording its version: the newest history entry of every
 * record is the current .avsc (docs aside, which are not part of the wire format), and every
 * older entry stays readable.
 */
class SchemaHistoryTest {

  private static final Path AVRO = Path.of("src", "main", "avro");

  static Stream<RecordType<?>> recordTypes() {
    return RecordType.all().stream();
  }

  @ParameterizedTest
  @MethodSource("recordTypes")
  void newestHistoryEntryIsTheCurrentAvsc(RecordType<?> type) throws IOException {
    final List<Schema> history = type.history();
    final Schema newest = history.get(history.size() - 1);

    assertThat(newest)
        .as("%s changed: record it as %s", AVRO.resolve(type.name() + ".avsc"),
            SchemaHistory.resource(type.name(), history.size() + 1))
        .isEqualTo(currentAvsc(type.name()));
    assertThat(SingleObjectCodec.fingerprint(newest)).isEqualTo(type.fingerprint());
  }

  @ParameterizedTest
  @MethodSource("recordTypes")
  void everyReleasedVersionIsReadableByTheCurrentSchemaAndDistinct(RecordType<?> type) {
    final Set<Long> fingerprints = new HashSet<>();
    for (Schema version : type.history()) {
      assertThat(SchemaCompatibility.checkReaderWriterCompatibility(type.schema(), version)
          .getType()).isEqualTo(SchemaCompatibilityType.COMPATIBLE);
      assertThat(fingerprints.add(SingleObjectCodec.fingerprint(version)))
          .as("two versions of %s with one fingerprint", type.name()).isTrue();
    }
    assertThat(type.codec().readableFingerprints()).containsAll(fingerprints);
  }

  @Test
  void everyTopLevelAvscHasARecordTypeWithHistory() throws IOException {
    final Set<String> records = new HashSet<>();
    try (Stream<Path> files = Files.list(AVRO)) {
      files.map(file -> file.getFileName().toString().replace(".avsc", ""))
          .filter(name -> !name.equals("Tensor"))
          .forEach(records::add);
    }

    assertThat(RecordType.all().stream().map(RecordType::name)).containsExactlyInAnyOrderElementsOf(records);
  }

  /** The current schema as the build sees it: Tensor.avsc first, then the record's file. */
  private static Schema currentAvsc(String name) throws IOException {
    final Schema.Parser parser = new Schema.Parser();
    parser.parse(AVRO.resolve("Tensor.avsc").toFile());
    return parser.parse(AVRO.resolve(name + ".avsc").toFile());
  }
}
