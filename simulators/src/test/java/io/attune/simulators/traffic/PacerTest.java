package io.attune.simulators.traffic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PacerTest {

  private final FakeTicker ticker = new FakeTicker();

  @Test
  void eventsAreSpacedByTheInverseRateFromTheFirst() throws InterruptedException {
    final Pacer pacer = new Pacer(4, ticker);

    for (int i = 0; i < 9; i++) {
      pacer.await();
    }

    assertThat(ticker.elapsedSeconds()).isEqualTo(2.0);
    assertThat(ticker.sleeps).hasSize(8).containsOnly(250_000_000L);
  }

  @Test
  void timeSpentBetweenEventsIsNotWaitedAgain() throws InterruptedException {
    final Pacer pacer = new Pacer(4, ticker);

    for (int i = 0; i < 5; i++) {
      pacer.await();
      ticker.advance(100_000_000L);
    }

    assertThat(ticker.sleeps).containsOnly(150_000_000L);
    assertThat(ticker.elapsedSeconds()).isEqualTo(1.1);
  }

  @Test
  void workSlowerThanTheRateIsNeverDelayed() throws InterruptedException {
    final Pacer pacer = new Pacer(4, ticker);

    for (int i = 0; i < 5; i++) {
      pacer.await();
      ticker.advance(300_000_000L);
    }

    assertThat(ticker.sleeps).isEmpty();
  }

  @Test
  void fallingFarBehindRestartsTheScheduleInsteadOfBursting() throws InterruptedException {
    final Pacer pacer = new Pacer(10, ticker);
    for (int i = 0; i < 5; i++) {
      pacer.await();
    }
    ticker.advance(5_000_000_000L);

    for (int i = 0; i < 3; i++) {
      pacer.await();
    }

    assertThat(ticker.sleeps).hasSize(6).containsOnly(100_000_000L);
  }

  @Test
  void fractionalRatesDoNotDrift() throws InterruptedException {
    final Pacer pacer = new Pacer(3, ticker);

    for (int i = 0; i < 301; i++) {
      pacer.await();
    }

    assertThat(ticker.elapsedSeconds()).isEqualTo(100.0);
  }

  @Test
  void rateZeroNeverWaits() throws InterruptedException {
    final Pacer pacer = new Pacer(0, ticker);

    for (int i = 0; i < 100; i++) {
      pacer.await();
    }

    assertThat(ticker.sleeps).isEmpty();
    assertThat(ticker.elapsedSeconds()).isZero();
  }

  @Test
  void aNegativeOrInfiniteRateIsRefused() {
    assertThatThrownBy(() -> new Pacer(-1, ticker)).hasMessageContaining("got -1.0");
    assertThatThrownBy(() -> new Pacer(Double.POSITIVE_INFINITY, ticker))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Pacer(Double.NaN, ticker))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
