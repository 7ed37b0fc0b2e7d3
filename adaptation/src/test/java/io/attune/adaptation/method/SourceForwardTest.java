package io.attune.adaptation.method;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.attune.adaptation.bundle.ModelBundle;
import io.attune.adaptation.eval.StreamEvaluation;
import io.attune.adaptation.runtime.AdaptationStep;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The source model's forward (and drift monitoring's, which runs it on every batch) goes through
 * the inference session, which keeps nothing for a backward; it must compute exactly what the
 * adaptation forward computes at {@code alpha = 1}.
 */
class SourceForwardTest {

  @TempDir
  Path dir;

  @Test
  void theInferenceForwardGivesTheAdaptationForwardsLogitsAndBatchStatisticsBitForBit() {
    ModelBundle bundle = ReferenceStreams.bundle(dir.resolve("bundle"));
    StreamEvaluation.LabelledBatch batch = ReferenceStreams.noisy(1, 48, 60, 3).get(0);
    try (AdaptationStep sessions = bundle.openStep(1);
        AdaptationStep.Forward full = sessions.forward(batch.inputs(), 48, Map.of(), 1f);
        AdaptationStep.Forward lean = sessions.inferenceForward(batch.inputs(), 48, Map.of(),
            1f)) {
      assertThat(lean.logits()).hasSize(48 * 10).containsExactly(full.logits());
      assertThat(lean.features()).containsExactly(full.features());
      for (int layer = 0; layer < bundle.manifest().layers().size(); layer++) {
        assertThat(lean.batchMean(layer)).containsExactly(full.batchMean(layer));
        assertThat(lean.batchVar(layer)).containsExactly(full.batchVar(layer));
      }
      assertThatThrownBy(() -> sessions.backward(lean, new float[48 * 10], null))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("keeps nothing for backward");
    }
  }

  @Test
  void theSourceMethodReportsTheBatchStatisticsOfTheSourceNormalizedForward() {
    ModelBundle bundle = ReferenceStreams.bundle(dir.resolve("bundle"));
    StreamEvaluation.LabelledBatch batch = ReferenceStreams.noisy(1, 32, 60, 4).get(0);
    try (AdaptationStep sessions = bundle.openStep(1)) {
      AdaptationMethod source = Methods.create("source", bundle, sessions);
      Outputs out = source.step(source.initialState(), new Batch(batch.inputs(), 32)).outputs();
      try (AdaptationStep.Forward full = sessions.forward(batch.inputs(), 32, Map.of(), 1f)) {
        assertThat(out.probabilities())
            .containsExactly(Entropy.softmax(full.logits(), 32, 10));
        assertThat(out.diagnostics().batchStatistics().means()).startsWith(full.batchMean(0));
        assertThat(out.diagnostics().batchStatistics().vars())
            .endsWith(full.batchVar(bundle.manifest().layers().size() - 1));
      }
    }
  }

  @Test
  void tentPredictsAsItsStepDoesWithoutTheBackwardAndInEveryState() {
    ModelBundle bundle = ReferenceStreams.bundle(dir.resolve("bundle"));
    var batches = ReferenceStreams.noisy(3, 32, 60, 5);
    try (AdaptationStep sessions = bundle.openStep(1)) {
      AdaptationMethod tent = Methods.create("tent", bundle, sessions);
      MethodState state = tent.initialState();
      for (StreamEvaluation.LabelledBatch b : batches) {
        Batch batch = new Batch(b.inputs(), 32);
        Outputs predicted = tent.predict(state, batch);
        AdaptationMethod.Step step = tent.step(state, batch);
        assertThat(predicted.probabilities()).hasSize(32 * 10)
            .containsExactly(step.outputs().probabilities());
        assertThat(predicted.version()).isEqualTo(state.version());
        assertThat(predicted.diagnostics().meanEntropy())
            .isEqualTo(step.outputs().diagnostics().meanEntropy());
        // the step moves the scales, so the next batch is predicted by an adapted model
        assertThat(step.state().affine()).isNotEqualTo(state.affine());
        state = step.state();
      }
    }
  }
}
