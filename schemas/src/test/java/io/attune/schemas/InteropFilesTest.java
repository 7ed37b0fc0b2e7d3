package io.attune.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import io.attune.schemas.serde.RecordType;
import io.attune.schemas.signing.SigningKeys;
import io.attune.schemas.signing.UpdateSignatures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import org.junit.jupiter.api.Test;

/**
 * Leaves records in {@code schemas/target/interop} for readers in other languages: the Python
 * snippets of docs/schemas.md were checked against these files (see there). The Java build itself
 * needs no Python.
 */
class InteropFilesTest {

  private static final Path DIR = Path.of("target", "interop");

  @Test
  void writesASampleAndSignedUpdatesThatDecodeBack() throws Exception {
    Files.createDirectories(DIR);
    final KeyPair keys = SigningKeys.generate();
    Files.deleteIfExists(DIR.resolve("worker.pub"));
    SigningKeys.writePublicKey(DIR.resolve("worker.pub"), keys.getPublic());
    final NormParamsUpdate params = UpdateSignatures.sign(ExampleRecords.params(), keys);
    final MemoryUpdate memory = UpdateSignatures.sign(ExampleRecords.memory(), keys);

    Files.write(DIR.resolve("sample.bin"),
        RecordType.INFERENCE_SAMPLE.codec().encode(ExampleRecords.sample()));
    Files.write(DIR.resolve("params.bin"), RecordType.NORM_PARAMS_UPDATE.codec().encode(params));
    Files.write(DIR.resolve("memory.bin"), RecordType.MEMORY_UPDATE.codec().encode(memory));

    assertThat(RecordType.NORM_PARAMS_UPDATE.codec()
        .decode(Files.readAllBytes(DIR.resolve("params.bin")))).isEqualTo(params);
    assertThat(RecordType.INFERENCE_SAMPLE.codec()
        .decode(Files.readAllBytes(DIR.resolve("sample.bin")))).isEqualTo(ExampleRecords.sample());
  }
}
