package io.attune.adaptation.eval;

import static org.assertj.core.api.Assertions.assertThat;

import io.attune.adaptation.method.AdaptationMethod;
import io.attune.adaptation.method.Batch;
import io.attune.adaptation.method.MethodState;
import io.attune.adaptation.method.Outputs;
import io.attune.adaptation.method.optim.Optimizer.OptimizerState;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StreamEvaluationTest {

  /** Predicts class {@code predicted} for every sample and counts its steps. */
  private static final class Constant implements AdaptationMethod {
    private final int predicted;
    int steps;

    Constant(int predicted) {
      this.predicted = predicted;
    }

    @Override
    public String name() {
      return "constant" + predicted;
    }

    @Override
    public MethodState initialState() {
      return new MethodState(0, new float[0], new float[0], new float[0],
          new OptimizerState(new float[0], new float[0], 0), Map.of());
    }

    @Override
    public Step step(MethodState state, Batch batch) {
      steps++;
      float[] p = new float[batch.size() * 2];
      for (int i = 0; i < batch.size(); i++) {
        p[2 * i + predicted] = 1;
      }
      return new Step(state, new Outputs(p, 2, state.version() + 1, Map.of(),
          new Outputs.Diagnostics(batch.size(), batch.size(), 0f, false)));
    }
  }

  private static List<StreamEvaluation.LabelledBatch> stream() {
    List<StreamEvaluation.LabelledBatch> batches = new ArrayList<>();
    for (int b = 0; b < 3; b++) {
      batches.add(new StreamEvaluation.LabelledBatch(new float[4], new int[] {0, 0, 1, 1},
          new int[] {b / 2, b / 2, b / 2, b / 2}));
    }
    return batches;
  }

  @Test
  void aBaselineGivenAsPredictionsIsScoredAsTheSourceWithoutRunningAModel() {
    Constant method = new Constant(0);
    List<StreamEvaluation.LabelledBatch> seen = new ArrayList<>();
    StreamEvaluation.Baseline allOnes = b -> {
      seen.add(b);
      return new float[] {0, 1, 0, 1, 0, 1, 0, 1};
    };

    StreamEvaluation.Result r = StreamEvaluation.run(method, allOnes, stream(), 2,
        StreamEvaluation.Reset.PER_DOMAIN, n -> { }, o -> { });

    assertThat(seen).hasSize(3);
    assertThat(method.steps).isEqualTo(3);
    assertThat(r.error()).isEqualTo(0.5);
    assertThat(r.sourceError()).isEqualTo(0.5);
    assertThat(r.domains()).hasSize(2);
    assertThat(r.domains().get(0).source().recall(1)).isEqualTo(1.0);
    assertThat(r.domains().get(0).adapted().recall(0)).isEqualTo(1.0);
  }

  @Test
  void aSourceMethodIsTheRunningBaseline() {
    Constant source = new Constant(1);

    StreamEvaluation.Result r = StreamEvaluation.run(new Constant(0), source, stream(), 2,
        StreamEvaluation.Reset.NEVER, n -> { }, o -> { });

    assertThat(source.steps).isEqualTo(3);
    assertThat(r.domains().get(1).source().recall(1)).isEqualTo(1.0);
    assertThat(r.domains().get(1).source().recall(0)).isEqualTo(0.0);
  }

  @Test
  void aDomainThatOnlyBeginsMidBatchIsScoredWithNoSamplesUsedOfItsOwn() {
    List<StreamEvaluation.LabelledBatch> mixed = List.of(new StreamEvaluation.LabelledBatch(
        new float[4], new int[] {0, 0, 1, 1}, new int[] {0, 0, 1, 2}));

    StreamEvaluation.Result r = StreamEvaluation.run(new Constant(0), new Constant(1), mixed, 2,
        StreamEvaluation.Reset.NEVER, n -> { }, o -> { });

    assertThat(r.domains()).extracting(StreamEvaluation.DomainScore::domain)
        .containsExactly(0, 1, 2);
    assertThat(r.domains()).extracting(StreamEvaluation.DomainScore::samplesUsed)
        .containsExactly(4L, 0L, 0L);
  }
}
