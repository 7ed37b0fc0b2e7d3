package io.attune.topology.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.attune.adaptation.method.Outputs;
import io.attune.schemas.NormParamsUpdate;
import org.junit.jupiter.api.Test;

/** The step timers a benchmark and an operator read to see where a worker's time goes. */
class WorkerMetricsTest {

  @Test
  void stepAndMonitoringTimesAddUpPerTimerAndShowInTheExposition() {
    try (WorkerMetrics metrics = new WorkerMetrics()) {
      NormParamsUpdate update = NormParamsUpdate.newBuilder().setModel("m").setCohort("c")
          .setVersion(1).setBaseVersion(0).setKind(io.attune.schemas.UpdateKind.ADAPTED)
          .setMethod("tent").setLayers(java.util.List.of()).setSamples(64).setMeanEntropy(1f)
          .setCreatedAt(java.time.Instant.EPOCH).setKeyId("")
          .setSignature(java.nio.ByteBuffer.allocate(0)).build();
      metrics.stepped("m/c", update, new Outputs.Diagnostics(64, 64, 1f, false), 300_000_000L);
      metrics.stepped("m/c", update, new Outputs.Diagnostics(64, 64, 1f, false), 500_000_000L);
      metrics.monitorTimed("m/c", 120_000_000L);
      metrics.monitorTimed("m/c", 80_000_000L);

      assertThat(metrics.totalSeconds("attune.step.latency")).isCloseTo(0.8, within(1e-9));
      assertThat(metrics.totalSeconds("attune.monitor.latency")).isCloseTo(0.2, within(1e-9));
      assertThat(metrics.totalSeconds("no.such.timer")).isZero();
      assertThat(metrics.scrape()).contains("attune_monitor_latency_seconds_count 2")
          .contains("attune_monitor_latency_seconds_sum 0.2");
    }
  }
}
