package io.attune.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.attune.schemas.ExampleRecords;
import io.attune.schemas.InferenceSample;
import io.attune.schemas.NormParamsUpdate;
import io.attune.schemas.serde.MalformedRecordException.Problem;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.apache.kafka.common.serialization.Deserializer;
import org.junit.jupiter.api.Test;

/** Whatever the bytes, decoding either yields a record or a MalformedRecordException. */
class MalformedBytesTest {

  private static final SingleObjectCodec<InferenceSample> SAMPLES =
      RecordType.INFERENCE_SAMPLE.codec();
  private static final byte[] VALID = SAMPLES.encode(ExampleRecords.sample());

  @Test
  void fewerBytesThanTheHeaderAreTruncated() {
    for (int length = 0; length < SingleObjectCodec.HEADER_LENGTH; length++) {
      assertThat(problemOf(Arrays.copyOf(VALID, length))).isEqualTo(Problem.TRUNCATED);
    }
    assertThatThrownBy(() -> SAMPLES.decode(new byte[3]))
        .hasMessage("InferenceSample of 3 bytes: shorter than the 10-byte single-object header");
  }

  @Test
  void bytesWithoutTheMarkerAreNamedWithWhatTheyStartWith() {
    final byte[] json = "{\"model\": \"fmnist-resnet\"}".getBytes();

    assertThatThrownBy(() -> SAMPLES.decode(json))
        .isInstanceOf(MalformedRecordException.class)
        .hasMessageContaining("starts with 7B 22, not the single-object marker C3 01");
  }

  @Test
  void anUnknownFingerprintIsNamedWithTheKnownOnes() {
    final byte[] params = RecordType.NORM_PARAMS_UPDATE.codec().encode(ExampleRecords.params());

    final MalformedRecordException e = catchThrowableOfType(MalformedRecordException.class,
        () -> SAMPLES.decode(params));

    assertThat(e.problem()).isEqualTo(Problem.UNKNOWN_SCHEMA);
    assertThat(e).hasMessageContaining("writer schema fingerprint "
        + SingleObjectCodec.hex(RecordType.NORM_PARAMS_UPDATE.fingerprint())
        + " is not a known version of InferenceSample (known: "
        + SingleObjectCodec.hex(RecordType.INFERENCE_SAMPLE.fingerprint()) + ")");
  }

  @Test
  void everyTruncationOfAValidRecordIsReportedAsTruncated() {
    for (int length = SingleObjectCodec.HEADER_LENGTH; length < VALID.length; length++) {
      assertThat(problemOf(Arrays.copyOf(VALID, length))).as("cut at %d", length)
          .isEqualTo(Problem.TRUNCATED);
    }
  }

  @Test
  void bytesAfterTheRecordAreRejected() {
    final byte[] longer = Arrays.copyOf(VALID, VALID.length + 1);

    assertThat(problemOf(longer)).isEqualTo(Problem.TRAILING_BYTES);
  }

  @Test
  void aHugeLengthPrefixIsTruncationNotAnAllocation() {
    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(Arrays.copyOf(VALID, SingleObjectCodec.HEADER_LENGTH));
    out.writeBytes(new byte[] {(byte) 0xFE, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x0F});
    out.writeBytes("model".getBytes());

    assertThat(problemOf(out.toByteArray())).isEqualTo(Problem.TRUNCATED);
  }

  @Test
  void aNegativeLengthOrABadUnionIndexIsInvalid() {
    final byte[] negative = Arrays.copyOf(VALID, VALID.length);
    negative[SingleObjectCodec.HEADER_LENGTH] = 0x03;
    final byte[] union = unionIndex(7);

    assertThat(problemOf(negative)).isEqualTo(Problem.INVALID);
    assertThat(problemOf(union)).isEqualTo(Problem.INVALID);
  }

  @Test
  void randomGarbageBehindAValidHeaderNeverEscapesAsAnotherException() {
    final SplittableRandom random = new SplittableRandom(42);
    for (int trial = 0; trial < 5000; trial++) {
      final byte[] garbage = Arrays.copyOf(VALID, SingleObjectCodec.HEADER_LENGTH
          + random.nextInt(200));
      for (int i = SingleObjectCodec.HEADER_LENGTH; i < garbage.length; i++) {
        garbage[i] = (byte) random.nextInt(256);
      }
      try {
        SAMPLES.decode(garbage);
      } catch (MalformedRecordException expected) {
        assertThat(expected.getMessage()).startsWith("InferenceSample of ");
      }
    }
  }

  @Test
  void randomlyFlippedBytesOfEveryRecordTypeNeverEscapeAsAnotherException() {
    final SplittableRandom random = new SplittableRandom(7);
    final byte[] params = RecordType.NORM_PARAMS_UPDATE.codec().encode(ExampleRecords.params());
    for (int trial = 0; trial < 5000; trial++) {
      final byte[] flipped = params.clone();
      for (int flips = 1 + random.nextInt(3); flips > 0; flips--) {
        final int at = SingleObjectCodec.HEADER_LENGTH
            + random.nextInt(params.length - SingleObjectCodec.HEADER_LENGTH);
        flipped[at] ^= (byte) (1 << random.nextInt(8));
      }
      try {
        final NormParamsUpdate decoded = RecordType.NORM_PARAMS_UPDATE.codec().decode(flipped);
        assertThat(decoded).isNotNull();
      } catch (MalformedRecordException expected) {
        assertThat(expected.problem()).isNotNull();
      }
    }
  }

  @Test
  void theDeserializerNamesTheTopic() {
    final Deserializer<InferenceSample> deserializer =
        RecordType.INFERENCE_SAMPLE.serde().deserializer();

    assertThatThrownBy(() -> deserializer.deserialize("attune.traffic", new byte[] {1, 2}))
        .isInstanceOf(MalformedRecordException.class)
        .hasMessage("topic attune.traffic: InferenceSample of 2 bytes: shorter than the 10-byte "
            + "single-object header");
  }

  private static Problem problemOf(byte[] bytes) {
    final MalformedRecordException e = catchThrowableOfType(MalformedRecordException.class,
        () -> SAMPLES.decode(bytes));
    assertThat(e).as("no exception for %d bytes", bytes.length).isNotNull();
    return e.problem();
  }

  /** A valid sample whose optional device has union branch {@code index} instead of 1. */
  private static byte[] unionIndex(int index) {
    final byte[] bytes = VALID.clone();
    // model, cohort and sampleId come first: skip three length-prefixed strings.
    int at = SingleObjectCodec.HEADER_LENGTH;
    for (int field = 0; field < 3; field++) {
      final int length = (bytes[at] & 0xFF) >>> 1;
      at += 1 + length;
    }
    assertThat(bytes[at]).isEqualTo((byte) 0x02);
    bytes[at] = (byte) (index << 1);
    return bytes;
  }
}
