package io.attune.edge;

import io.attune.adaptation.bundle.ModelBundle;
import io.attune.schemas.NormParamsUpdate;
import io.attune.schemas.UpdateKind;
import io.attune.schemas.signing.SigningKeys;
import io.attune.schemas.signing.UpdateSignatures;
import java.nio.ByteBuffer;
import java.security.KeyPair;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/** Builds updates the way a worker would, for tests. */
final class Updates {

  static final String MODEL = "fmnist";
  static final String COHORT = "site-a";
  static final KeyPair KEYS = SigningKeys.generate();
  static final KeyPair OTHER_KEYS = SigningKeys.generate();

  private Updates() {}

  /** An update of {@code params}, not yet signed (empty key id and signature). */
  static NormParamsUpdate unsigned(ModelBundle bundle, String model, String cohort,
      long version, Map<String, float[]> params) {
    return NormParamsUpdate.newBuilder()
        .setModel(model)
        .setCohort(cohort)
        .setVersion(version)
        .setBaseVersion(version - 1)
        .setKind(UpdateKind.ADAPTED)
        .setMethod("test")
        .setLayers(new ParamsLayout(bundle.manifest()).encode(params))
        .setSamples(64 * version)
        .setMeanEntropy(0.5f)
        .setCreatedAt(Instant.ofEpochMilli(1_700_000_000_000L + version))
        .setKeyId("")
        .setSignature(ByteBuffer.allocate(0))
        .build();
  }

  /** {@code params} for this test's model and cohort, signed with the trusted key. */
  static NormParamsUpdate signed(ModelBundle bundle, long version, Map<String, float[]> params) {
    return sign(unsigned(bundle, MODEL, COHORT, version, params), KEYS);
  }

  static NormParamsUpdate sign(NormParamsUpdate update, KeyPair key) {
    return UpdateSignatures.sign(update, key);
  }

  /**
   * The source parameters, each value moved at random by a seeded amount large enough that
   * predictions change clearly: scales times 0.5..1.5, biases plus -0.5..0.5, means plus
   * -0.5..0.5, variances times 0.5..2.
   */
  static Map<String, float[]> perturbed(ModelBundle bundle, long seed) {
    Random random = new Random(seed);
    Map<String, float[]> out = new LinkedHashMap<>();
    for (var l : bundle.manifest().layers()) {
      out.put(l.scale(), map(l.sourceScale(), v -> v * (0.5f + random.nextFloat())));
      out.put(l.bias(), map(l.sourceBias(), v -> v + random.nextFloat() - 0.5f));
      out.put(l.mean(), map(l.sourceMean(), v -> v + random.nextFloat() - 0.5f));
      out.put(l.var(), map(l.sourceVar(), v -> v * (0.5f + 1.5f * random.nextFloat())));
    }
    return out;
  }

  private static float[] map(float[] in, FloatOp op) {
    float[] out = new float[in.length];
    for (int i = 0; i < in.length; i++) {
      out[i] = op.apply(in[i]);
    }
    return out;
  }

  private interface FloatOp {
    float apply(float v);
  }
}
