package io.attune.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.attune.edge.UploadFilter.Budget;
import io.attune.edge.UploadFilter.Config;
import io.attune.edge.UploadFilter.Counts;
import io.attune.edge.UploadFilter.Decisions;
import io.attune.edge.UploadFilter.State;
import io.attune.edge.UploadFilter.Verdict;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class EdgeUploadFilterTest {

  private static final double LN10 = Math.log(10);

  /** CEMA's thresholds for 10 classes with a warm-up of 4 samples, no budget. */
  private static UploadFilter tenClasses(long warmUp, Budget budget) {
    return new UploadFilter(new Config(10, 0.4, 0.6, warmUp, 0.02, budget));
  }

  @Test
  void defaultsAreThoseOfTheCemaCode() {
    Config cema = Config.cema(1000, Budget.unlimited());

    assertThat(cema.highEntropyFactor()).isEqualTo(0.4);
    assertThat(cema.decay()).isEqualTo(0.6);
    UploadFilter filter = new UploadFilter(cema);
    assertThat(filter.highThreshold(filter.initialState())).isCloseTo(0.4 * Math.log(1000),
        within(1e-12));
    assertThat(filter.lowThreshold()).isCloseTo(0.02 * Math.log(1000), within(1e-12));
  }

  @Test
  void highEntropySamplesAreUnreliableAndNearCertainOnesLowInformative() {
    UploadFilter filter = tenClasses(Long.MAX_VALUE, Budget.unlimited());
    double high = 0.4 * LN10;
    double low = 0.02 * LN10;

    Decisions d = filter.decideAll(filter.initialState(), new float[] {
        (float) (high + 0.01), (float) (high + 1e-6), (float) (high - 0.01), 0.5f,
        (float) (low + 0.001), (float) (low - 1e-6), 0f});

    assertThat(d.verdicts()).containsExactly(Verdict.UNRELIABLE, Verdict.UNRELIABLE,
        Verdict.UPLOAD, Verdict.UPLOAD, Verdict.UPLOAD, Verdict.LOW_INFORMATIVE,
        Verdict.LOW_INFORMATIVE);
    assertThat(d.state().counts()).isEqualTo(new Counts(3, 2, 2, 0));
  }

  @Test
  void withoutWarmUpEndTheHighThresholdStaysStaticLikeTheReleasedConfiguration() {
    UploadFilter filter = tenClasses(Long.MAX_VALUE, Budget.unlimited());
    Decisions d = filter.decideAll(filter.initialState(), new float[] {2f, 0.1f, 0.1f, 0.1f});

    assertThat(filter.highThreshold(d.state())).isEqualTo(0.4 * LN10);
  }

  @Test
  void afterTheWarmUpTheHighThresholdFollowsTheMeanEntropyTimesTheDecay() {
    UploadFilter filter = tenClasses(4, Budget.unlimited());
    State warm = filter.decideAll(filter.initialState(), new float[] {0.8f, 0.6f, 0.4f, 0.2f})
        .state();
    // mean at warm-up end 0.5: threshold E0 * 0.6 * 0.5 / 0.5
    assertThat(filter.highThreshold(warm)).isCloseTo(0.4 * LN10 * 0.6, within(1e-9));

    // four more samples of entropy 0.1: running mean (2.0 + 0.4) / 8 = 0.3
    State later = filter.decideAll(warm, new float[] {0.1f, 0.1f, 0.1f, 0.1f}).state();
    assertThat(filter.highThreshold(later))
        .isCloseTo(0.4 * LN10 * 0.6 * 0.3 / 0.5, within(1e-6));
  }

  @Test
  void aSampleReliableAtTheStartIsUnreliableOnceTheThresholdHasDecayed() {
    UploadFilter filter = tenClasses(4, Budget.unlimited());
    State start = filter.initialState();
    assertThat(filter.decide(start, 0.7f).verdict()).isEqualTo(Verdict.UPLOAD);

    State warm = filter.decideAll(start, new float[] {0.5f, 0.5f, 0.5f, 0.5f}).state();
    // threshold now 0.921 * 0.6 = 0.553, then a little lower as the mean falls
    assertThat(filter.decide(warm, 0.7f).verdict()).isEqualTo(Verdict.UNRELIABLE);
    assertThat(filter.decide(warm, 0.5f).verdict()).isEqualTo(Verdict.UPLOAD);
  }

  @Test
  void theThresholdDecaysAsPredictionsGrowSurer() {
    UploadFilter filter = tenClasses(100, Budget.unlimited());
    Random random = new Random(3);
    State state = filter.initialState();
    double previous = Double.MAX_VALUE;
    for (int phase = 0; phase < 5; phase++) {
      float[] entropies = new float[200];
      for (int i = 0; i < entropies.length; i++) {
        entropies[i] = (float) (random.nextDouble() * (1.0 - 0.2 * phase));
      }
      state = filter.decideAll(state, entropies).state();
      double now = filter.highThreshold(state);
      assertThat(now).isLessThan(previous);
      previous = now;
    }
  }

  @Test
  void theBudgetCapsUploadsPerWindowAndCountsTheRestOverBudget() {
    UploadFilter filter = tenClasses(Long.MAX_VALUE, new Budget(2, 5));
    float[] informative = new float[12];
    java.util.Arrays.fill(informative, 0.5f);

    Decisions d = filter.decideAll(filter.initialState(), informative);

    assertThat(d.verdicts()).containsExactly(
        Verdict.UPLOAD, Verdict.UPLOAD, Verdict.OVER_BUDGET, Verdict.OVER_BUDGET,
        Verdict.OVER_BUDGET,
        Verdict.UPLOAD, Verdict.UPLOAD, Verdict.OVER_BUDGET, Verdict.OVER_BUDGET,
        Verdict.OVER_BUDGET,
        Verdict.UPLOAD, Verdict.UPLOAD);
    assertThat(d.state().counts()).isEqualTo(new Counts(6, 0, 0, 6));
    assertThat(d.state().counts().uploadShare()).isEqualTo(0.5);
  }

  @Test
  void skippedSamplesStillFillTheWindowSoTheBudgetIsAShareOfAllSamples() {
    UploadFilter filter = tenClasses(Long.MAX_VALUE, Budget.share(0.25, 4));
    Decisions d = filter.decideAll(filter.initialState(),
        new float[] {2f, 2f, 0.5f, 0.5f, 0.5f, 2f, 2f, 2f});

    assertThat(d.verdicts()).containsExactly(Verdict.UNRELIABLE, Verdict.UNRELIABLE,
        Verdict.UPLOAD, Verdict.OVER_BUDGET, Verdict.UPLOAD, Verdict.UNRELIABLE,
        Verdict.UNRELIABLE, Verdict.UNRELIABLE);
  }

  @Test
  void verdictsDoNotDependOnHowTheStreamIsCut() {
    UploadFilter filter = new UploadFilter(Config.cema(10, new Budget(7, 20)));
    Random random = new Random(11);
    float[] entropies = new float[1500];
    for (int i = 0; i < entropies.length; i++) {
      entropies[i] = (float) (random.nextDouble() * 1.2);
    }

    Decisions whole = filter.decideAll(filter.initialState(), entropies);
    State state = filter.initialState();
    List<Verdict> pieces = new java.util.ArrayList<>();
    for (int start = 0; start < entropies.length; start += 37) {
      Decisions part = filter.decideAll(state, java.util.Arrays.copyOfRange(entropies, start,
          Math.min(start + 37, entropies.length)));
      pieces.addAll(part.verdicts());
      state = part.state();
    }

    assertThat(pieces).isEqualTo(whole.verdicts());
    assertThat(state).isEqualTo(whole.state());
  }

  @Test
  void aZeroLowFactorTurnsTheFloorOff() {
    UploadFilter filter = new UploadFilter(new Config(10, 0.4, 0.6, 10, 0, Budget.unlimited()));

    assertThat(filter.decide(filter.initialState(), 0f).verdict()).isEqualTo(Verdict.UPLOAD);
  }

  @Test
  void aNanEntropyIsUnreliable() {
    UploadFilter filter = tenClasses(Long.MAX_VALUE, Budget.unlimited());

    assertThat(filter.decide(filter.initialState(), Float.NaN).verdict())
        .isEqualTo(Verdict.UNRELIABLE);
  }

  @Test
  void badConfigurationNamesEveryFieldAtOnce() {
    assertThatThrownBy(() -> new Config(1, 1.5, 0, 0, 2, Budget.unlimited()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("classes must be at least 2, got 1")
        .hasMessageContaining("highEntropyFactor must be in (0, 1], got 1.5")
        .hasMessageContaining("decay must be in (0, 1], got 0.0")
        .hasMessageContaining("warmUpSamples must be at least 1, got 0")
        .hasMessageContaining("lowEntropyFactor");
    assertThatThrownBy(() -> new Budget(6, 5)).hasMessageContaining("maxUploads");
    assertThatThrownBy(() -> Budget.share(1.5, 10)).hasMessageContaining("share");
  }
}
