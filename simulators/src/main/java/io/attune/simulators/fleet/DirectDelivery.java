package io.attune.simulators.fleet;

import io.attune.edge.EdgeModel;
import io.attune.edge.UpdateResult;
import io.attune.schemas.CohortKey;
import io.attune.schemas.NormParamsUpdate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * In-process delivery: {@link #publish} hands an update straight to every connected device of
 * the update's {@code model/cohort}, as a keyed topic would, on the caller's thread.
 */
public final class DirectDelivery implements ParamsDelivery {

  private final Map<String, List<EdgeModel>> byKey = new ConcurrentHashMap<>();

  @Override
  public void connect(EdgeModel device) {
    byKey.computeIfAbsent(device.options().key(), k -> new CopyOnWriteArrayList<>()).add(device);
  }

  /** Applies {@code update} on each device of its cohort; their results, in connection order. */
  public List<UpdateResult> publish(NormParamsUpdate update) {
    String key = new CohortKey(update.getModel(), update.getCohort()).format();
    List<UpdateResult> results = new ArrayList<>();
    for (EdgeModel device : byKey.getOrDefault(key, List.of())) {
      results.add(device.apply(update));
    }
    return results;
  }

  @Override
  public void close() {
    byKey.clear();
  }
}
