package io.attune.topology.archfixture;

import ai.onnxruntime.OrtEnvironment;

/** Breaks the layering on purpose, so that LayeringTest can show its rule fails on it. */
public final class TopologyClassUsingOnnxRuntime {

  public OrtEnvironment environment() {
    return OrtEnvironment.getEnvironment();
  }
}
