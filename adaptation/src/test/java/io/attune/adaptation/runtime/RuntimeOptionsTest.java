package io.attune.adaptation.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;
import io.attune.adaptation.model.InvalidModelException;
import org.junit.jupiter.api.Test;

class RuntimeOptionsTest {

  private static boolean cudaAvailable() {
    return OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA);
  }

  @Test
  void askingForCudaWithoutItIsAOneLineError() {
    assumeFalse(cudaAvailable(), "this ONNX Runtime build has CUDA; see the GPU test instead");

    assertThatThrownBy(() -> new RuntimeOptions(1, RuntimeOptions.Provider.CUDA, 0)
        .sessionOptions())
        .isInstanceOf(InvalidModelException.class)
        .hasMessage("the CUDA execution provider was requested, but this ONNX Runtime build has "
            + "none (build Attune with -Pgpu on a machine with CUDA)");
  }

  @Test
  void cudaSessionOptionsOnAGpuBuild() throws Exception {
    assumeTrue(cudaAvailable(), "needs the onnxruntime_gpu build (-Pgpu) and a CUDA device");

    try (OrtSession.SessionOptions options = new RuntimeOptions(1, RuntimeOptions.Provider.CUDA,
        0).sessionOptions()) {
      assertThat(options).isNotNull();
    }
  }

  @Test
  void intraOpThreadsBlockRatherThanSpinBetweenNodes() throws Exception {
    try (OrtSession.SessionOptions options = RuntimeOptions.cpu(2).sessionOptions()) {
      assertThat(options.getConfigEntries())
          .containsEntry("session.intra_op.allow_spinning", "0");
    }
  }

  @Test
  void negativeThreadsAreRejected() {
    assertThatThrownBy(() -> RuntimeOptions.cpu(-1))
        .hasMessageContaining("threads must be 0 (automatic) or more, got -1");
  }
}
