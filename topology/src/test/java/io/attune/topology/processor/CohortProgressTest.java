package io.attune.topology.processor;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CohortProgressTest {

  @Test
  void bufferKeysAreZeroPaddedSoThatTheirOrderIsArrivalOrder() {
    assertThat(CohortProgress.bufferKey("m/c", 42)).isEqualTo("m/c|0000000000000000042");
    assertThat(CohortProgress.bufferKey("m/c", Long.MAX_VALUE))
        .isEqualTo("m/c|" + Long.MAX_VALUE);
    List<String> keys = new ArrayList<>();
    for (long seq : new long[] {0, 9, 10, 99, 100, 12_345, 1L << 40}) {
      // the layout stores written by earlier workers hold
      assertThat(CohortProgress.bufferKey("m/c", seq))
          .isEqualTo("m/c|" + String.format("%019d", seq));
      keys.add(CohortProgress.bufferKey("m/c", seq));
    }
    assertThat(keys).isSorted();
  }

  @Test
  void progressRoundTripsThroughItsBytes() {
    CohortProgress p = CohortProgress.empty().withBuffered(1_000).withBuffered(900);
    assertThat(CohortProgress.decode(p.encode())).isEqualTo(p);
    assertThat(p.buffered()).isEqualTo(2);
    assertThat(p.oldestBuffered()).isEqualTo(900);
    assertThat(p.afterStep().adapted()).isEqualTo(2);
  }
}
