package io.attune.simulators.fleet;

import io.attune.edge.EdgeModel;
import io.attune.edge.Prediction;
import io.attune.edge.UploadFilter;
import io.attune.simulators.schedule.ShiftBatch;
import io.attune.simulators.schedule.ShiftStream;
import java.util.Arrays;
import java.util.List;

/** One device: its stream, its model with its own parameters, its upload filter's state. */
final class SimulatedDevice {

  private final String id;
  private final CohortTally cohort;
  private final EdgeModel model;
  private final ShiftStream stream;
  private final UploadFilter filter;
  private UploadFilter.State filterState;

  SimulatedDevice(String id, CohortTally cohort, EdgeModel model, ShiftStream stream,
      UploadFilter filter) {
    this.id = id;
    this.cohort = cohort;
    this.model = model;
    this.stream = stream;
    this.filter = filter;
    this.filterState = filter.initialState();
  }

  boolean hasNext() {
    return stream.hasNext();
  }

  /**
   * Predicts the next samples with the device's current parameters and with the cohort's
   * frozen twin, scores both, and uploads what the filter selects.
   */
  void tick(int samples, Uplink uplink) {
    ShiftBatch batch = stream.next(samples);
    int n = batch.size();
    List<Prediction> adapted = model.predictBatch(batch.images(), n);
    List<Prediction> source = cohort.twin().predictBatch(batch.images(), n);
    int size = batch.shape().size();
    for (int i = 0; i < n; i++) {
      int label = batch.labels()[i];
      cohort.record(label, adapted.get(i).predictedClass(), source.get(i).predictedClass());
      UploadFilter.Decision decision = filter.decide(filterState, adapted.get(i).headEntropy());
      filterState = decision.state();
      if (decision.verdict() == UploadFilter.Verdict.UPLOAD) {
        uplink.upload(new UploadedSample(model.options().model(), cohort.name(), id,
            id + "-" + (batch.start() + i), batch.shape(),
            Arrays.copyOfRange(batch.images(), i * size, (i + 1) * size), label));
      }
    }
  }

  UploadFilter.Counts uploads() {
    return filterState.counts();
  }

  long version() {
    return model.version();
  }

  EdgeModel model() {
    return model;
  }
}
