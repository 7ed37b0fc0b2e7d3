package io.attune.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** docs/schemas.md lists every record's current fingerprint for readers in other languages. */
class FingerprintDocTest {

  static Iterable<RecordType<?>> recordTypes() {
    return RecordType.all();
  }

  @ParameterizedTest
  @MethodSource("recordTypes")
  void theDocumentedFingerprintIsTheCurrentOne(RecordType<?> type) throws IOException {
    final Path doc = Path.of(System.getProperty("attune.root", ".."), "docs", "schemas.md");

    assertThat(Files.readString(doc)).contains("| " + type.name() + " | `"
        + SingleObjectCodec.hex(type.fingerprint()) + "` |");
  }
}
