package io.attune.adaptation.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.attune.adaptation.model.InvalidModelException;
import io.attune.adaptation.onnx.TinyModels;
import io.attune.adaptation.onnx.internal.ModelAnalysis;
import io.attune.adaptation.runtime.OrtProfile.Operator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OrtProfileTest {

  private static final long[] SAMPLE = {1, 8, 8};

  @Test
  void kernelTimeIsSummedPerOperatorTypeAndDividedByRuns(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("g_2026.json");
    Files.writeString(file, """
        [
         {"cat":"Session","name":"model_run","dur":3000},
         {"cat":"Node","name":"a_kernel_time","dur":1000,"args":{"op_name":"Conv"}},
         {"cat":"Node","name":"a_fence_before","dur":5,"args":{"op_name":"Conv"}},
         {"cat":"Node","name":"b_kernel_time","dur":400,"args":{"op_name":"Mul"}},
         {"cat":"Node","name":"c_kernel_time","dur":600,"args":{"op_name":"Mul"}},
         {"cat":"Session","name":"model_run","dur":5000},
         {"cat":"Node","name":"a_kernel_time","dur":3000,"args":{"op_name":"Conv"}},
         {"cat":"Node","name":"b_kernel_time","dur":200,"args":{"op_name":"Mul"}},
         {"cat":"Node","name":"c_kernel_time","dur":800,"args":{"op_name":"Mul"}}
        ]""");

    OrtProfile profile = OrtProfile.read(file, "g");

    assertThat(profile.runs()).isEqualTo(2);
    assertThat(profile.runMillis()).isEqualTo(4.0);
    assertThat(profile.operators()).containsExactly(new Operator("Conv", 2.0, 1),
        new Operator("Mul", 1.0, 2));
    assertThat(profile.kernelMillis()).isEqualTo(3.0);
    assertThat(profile.nodes()).isEqualTo(3);
  }

  @Test
  void profiledSessionsWriteOneProfilePerGraphWhenTheyClose(@TempDir Path dir) {
    ModelAnalysis analysis = ModelAnalysis.of(TinyModels.convBnNet(13), SAMPLE);
    float[] images = new float[4 * 64];
    for (int i = 0; i < images.length; i++) {
      images[i] = (i % 7) / 7f;
    }
    try (AdaptationStep step = new AdaptationStep(AdaptationStep.StepGraphs.of(analysis, SAMPLE),
        RuntimeOptions.cpu(1).withProfiling(dir))) {
      for (int run = 0; run < 3; run++) {
        try (AdaptationStep.Forward f = step.forward(images, 4, Map.of(), 0f)) {
          step.backward(f, new float[4 * analysis.head().classes()], null);
        }
      }
    }

    OrtProfile forward = OrtProfile.find(dir, AdaptationStep.FORWARD_GRAPH).orElseThrow();
    OrtProfile backward = OrtProfile.find(dir, AdaptationStep.BACKWARD_GRAPH).orElseThrow();
    assertThat(forward.runs()).isEqualTo(3);
    assertThat(backward.runs()).isEqualTo(3);
    assertThat(forward.operators()).extracting(Operator::type).contains("Conv", "ReduceMean");
    assertThat(backward.operators()).extracting(Operator::type).contains("Conv", "ReduceSum");
    assertThat(forward.kernelMillis()).isPositive().isLessThanOrEqualTo(forward.runMillis());
    assertThat(OrtProfile.find(dir, EdgeSession.GRAPH)).isEmpty();
  }

  @Test
  void aFileThatIsNotAProfileIsAOneLineError(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("edge_1.json");
    Files.writeString(file, "{\"not\": \"events\"}");

    assertThatThrownBy(() -> OrtProfile.read(file, "edge"))
        .isInstanceOf(InvalidModelException.class)
        .hasMessage(file + ": not an ONNX Runtime profile (no event array)");
  }
}
