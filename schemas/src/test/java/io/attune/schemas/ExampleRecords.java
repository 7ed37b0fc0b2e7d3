package io.attune.schemas;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;

/** One filled-in record of every top-level type, every optional field set. */
public final class ExampleRecords {

  public static final Instant TIME = Instant.parse("2026-11-25T10:15:30.123Z");

  private ExampleRecords() {}

  public static Tensor floats(float... values) {
    final ByteBuffer data = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
    for (float value : values) {
      data.putFloat(value);
    }
    return new Tensor(DType.FLOAT32, List.of(values.length), data.flip());
  }

  public static InferenceSample sample() {
    final byte[] pixels = new byte[28 * 28];
    for (int i = 0; i < pixels.length; i++) {
      pixels[i] = (byte) (i * 7);
    }
    return InferenceSample.newBuilder().setModel("fmnist-resnet").setCohort("site-3")
        .setSampleId("site-3:17").setDevice("cam-9")
        .setInput(new Tensor(DType.UINT8, List.of(1, 28, 28), ByteBuffer.wrap(pixels)))
        .setLabel(4).build();
  }

  public static NormParamsUpdate params() {
    final List<LayerParams> layers = new ArrayList<>();
    for (int layer = 0; layer < 3; layer++) {
      final float base = layer * 10;
      layers.add(new LayerParams("bn" + layer, floats(base + 1, base + 2), floats(base + 3,
          base + 4), floats(base + 5, base + 6), floats(base + 7, base + 8)));
    }
    return NormParamsUpdate.newBuilder().setModel("fmnist-resnet").setCohort("site-3")
        .setVersion(7).setBaseVersion(6).setKind(UpdateKind.ADAPTED).setMethod("tent")
        .setLayers(layers).setSamples(448).setMeanEntropy(0.75f).setCreatedAt(TIME)
        .setKeyId("").setSignature(ByteBuffer.allocate(0)).build();
  }

  public static MemoryUpdate memory() {
    return MemoryUpdate.newBuilder().setModel("fmnist-resnet").setCohort("site-3").setVersion(7)
        .setKind(MemoryKind.PROTOTYPES).setMethod("t3a")
        .setFeatures(new Tensor(DType.FLOAT32, List.of(2, 2), floats(1, 2, 3, 4).getData()))
        .setLabels(List.of(0, 9)).setCreatedAt(TIME).setKeyId("")
        .setSignature(ByteBuffer.allocate(0)).build();
  }

  /** A kNN memory as a worker's AdaNPC publishes it: test entries, k, temperature, source. */
  public static MemoryUpdate knnMemory() {
    return MemoryUpdate.newBuilder(memory()).setKind(MemoryKind.KNN).setMethod("adanpc")
        .setK(10).setTemperature(0.1f).setSourceMemorySha256("ab".repeat(32)).build();
  }

  public static AdaptedPrediction prediction() {
    return AdaptedPrediction.newBuilder().setModel("fmnist-resnet").setCohort("site-3")
        .setSampleId("site-3:17").setDevice("cam-9").setParamsVersion(7).setPredictedClass(4)
        .setProbabilities(List.of(0.1f, 0.9f)).setEntropy(0.325f).setLabel(4).build();
  }

  public static DriftAlert alert() {
    return DriftAlert.newBuilder().setModel("fmnist-resnet").setCohort("site-3")
        .setSignal("data-drift").setState(AlertState.RAISED).setScore(12.5)
        .setThreshold(8).setFirstBatch(5).setTime(TIME).setSummary("BN statistics moved")
        .setSourceAccuracyEstimate(0.61f).setAdaptedAccuracyEstimate(0.74f).build();
  }

  public static DeadLetter deadLetter() {
    return DeadLetter.newBuilder().setReason(RejectReason.WRONG_SHAPE)
        .setDetail("shape [3, 32, 32], the model takes [1, 28, 28]")
        .setSourceTopic("attune.traffic").setSourcePartition(2).setSourceOffset(991)
        .setKey(ByteBuffer.wrap(new byte[] {'m', '/', 'c'}))
        .setValue(ByteBuffer.wrap(new byte[] {1, 2, 3})).setSampleId("site-3:18")
        .setRejectedAt(TIME).build();
  }

  /** One example per top-level record class. */
  public static Map<Class<?>, SpecificRecord> all() {
    return Map.of(InferenceSample.class, sample(), NormParamsUpdate.class, params(),
        MemoryUpdate.class, memory(), AdaptedPrediction.class, prediction(),
        DriftAlert.class, alert(), DeadLetter.class, deadLetter());
  }
}
