package io.attune.simulators.fleet;

import io.attune.adaptation.bundle.ModelBundle;
import io.attune.adaptation.method.AdaptationMethod;
import io.attune.adaptation.method.Batch;
import io.attune.adaptation.method.MethodState;
import io.attune.adaptation.method.Methods;
import io.attune.adaptation.runtime.AdaptationStep;
import io.attune.edge.ParamsLayout;
import io.attune.schemas.NormParamsUpdate;
import io.attune.schemas.UpdateKind;
import io.attune.schemas.signing.UpdateSignatures;
import java.nio.ByteBuffer;
import java.security.KeyPair;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A stand-in for the worker, in process: buffers each cohort's uploads, runs one step of an
 * adaptation method per full batch, signs the resulting parameters as the next version and
 * publishes them through a direct delivery. Never reads the labels.
 */
final class InProcessWorker implements Uplink {

  private final ModelBundle bundle;
  private final AdaptationStep sessions;
  private final AdaptationMethod method;
  private final int batchSize;
  private final KeyPair keys;
  private final DirectDelivery delivery;
  private final ParamsLayout layout;
  private final Map<String, List<UploadedSample>> buffers = new HashMap<>();
  private final Map<String, MethodState> states = new HashMap<>();
  private final Map<String, Long> samples = new HashMap<>();
  private int published;

  InProcessWorker(ModelBundle bundle, String methodName, int batchSize, KeyPair keys,
      DirectDelivery delivery) {
    this.bundle = bundle;
    this.sessions = bundle.openStep(1);
    this.method = Methods.create(methodName, bundle, sessions);
    this.batchSize = batchSize;
    this.keys = keys;
    this.delivery = delivery;
    this.layout = new ParamsLayout(bundle.manifest());
  }

  @Override
  public void upload(UploadedSample sample) {
    List<UploadedSample> buffer = buffers.computeIfAbsent(sample.cohort(),
        c -> new ArrayList<>());
    buffer.add(sample);
    if (buffer.size() == batchSize) {
      step(sample.model(), sample.cohort(), List.copyOf(buffer));
      buffer.clear();
    }
  }

  private void step(String model, String cohort, List<UploadedSample> batch) {
    int size = batch.get(0).pixels().length;
    byte[] pixels = new byte[batch.size() * size];
    for (int i = 0; i < batch.size(); i++) {
      System.arraycopy(batch.get(i).pixels(), 0, pixels, i * size, size);
    }
    MethodState state = states.computeIfAbsent(cohort, c -> method.initialState());
    AdaptationMethod.Step step = method.step(state,
        new Batch(bundle.manifest().preprocess(pixels, batch.size()), batch.size()));
    states.put(cohort, step.state());
    long seen = samples.merge(cohort, (long) batch.size(), Long::sum);
    NormParamsUpdate update = NormParamsUpdate.newBuilder()
        .setModel(model)
        .setCohort(cohort)
        .setVersion(step.outputs().version())
        .setBaseVersion(step.outputs().version() - 1)
        .setKind(UpdateKind.ADAPTED)
        .setMethod(method.name())
        .setLayers(layout.encode(step.outputs().parameters()))
        .setSamples(seen)
        .setMeanEntropy(step.outputs().diagnostics().meanEntropy())
        .setCreatedAt(Instant.ofEpochMilli(step.outputs().version()))
        .setKeyId("")
        .setSignature(ByteBuffer.allocate(0))
        .build();
    delivery.publish(UpdateSignatures.sign(update, keys));
    published++;
  }

  int published() {
    return published;
  }

  @Override
  public void close() {
    sessions.close();
  }
}
