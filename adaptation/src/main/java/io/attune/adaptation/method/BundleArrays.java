package io.attune.adaptation.method;

import io.attune.adaptation.bundle.BundleManifest;
import io.attune.adaptation.bundle.ModelBundle;
import io.attune.adaptation.data.ArrayReader;
import io.attune.adaptation.data.FloatData;
import io.attune.adaptation.model.InvalidModelException;
import java.io.IOException;
import java.nio.file.Path;

/** The head weights and the source memory a bundle keeps, for the feature methods. */
final class BundleArrays {

  /**
   * The classifier head: {@code logits = features . weights^T + bias}.
   *
   * @param weights {@code [classes, dim]}
   * @param bias {@code [classes]}
   */
  record Head(float[] weights, float[] bias, int classes, int dim) {}

  /**
   * Penultimate features of source samples with their true labels.
   *
   * @param features {@code [count, dim]}
   * @param labels {@code [count]}, each in {@code [0, classes)}
   */
  record SourceMemory(float[] features, int[] labels, int count, int dim) {}

  private BundleArrays() {}

  static Head head(ModelBundle bundle) {
    BundleManifest.HeadInfo info = bundle.manifest().head();
    float[] w = floats(bundle.dir().resolve(info.weightsFile()), info.classes() * info.dim(),
        "head weights");
    float[] b = floats(bundle.dir().resolve(info.biasFile()), info.classes(), "head bias");
    return new Head(w, b, info.classes(), info.dim());
  }

  /**
   * @throws InvalidModelException naming the bundle when it keeps no source memory, or the file
   *     when it does not fit the head
   */
  static SourceMemory sourceMemory(ModelBundle bundle, String needer) {
    BundleManifest.SourceMemory m = bundle.manifest().sourceMemory();
    if (m == null || m.featuresFile() == null || m.labelsFile() == null || m.samples() < 1) {
      throw new InvalidModelException(bundle.dir() + ": the bundle keeps no source memory, which "
          + needer + " needs; prepare it with --source-memory FEATURES LABELS");
    }
    BundleManifest.HeadInfo head = bundle.manifest().head();
    float[] f = floats(bundle.dir().resolve(m.featuresFile()), m.samples() * head.dim(),
        "source memory features");
    Path labelsFile = bundle.dir().resolve(m.labelsFile());
    int[] y = new int[m.samples()];
    try (ArrayReader reader = ArrayReader.open(labelsFile)) {
      long[] wide = reader.readLongs(m.samples());
      if (wide.length != m.samples() || reader.hasNext()) {
        throw new InvalidModelException(labelsFile + ": " + reader.itemCount() + " labels, the "
            + "manifest says " + m.samples());
      }
      for (int i = 0; i < y.length; i++) {
        if (wide[i] < 0 || wide[i] >= head.classes()) {
          throw new InvalidModelException(labelsFile + ": label " + wide[i] + " at " + i
              + " is not a class of the " + head.classes() + "-class head");
        }
        y[i] = (int) wide[i];
      }
    } catch (IOException e) {
      throw new InvalidModelException(labelsFile + ": cannot read: " + e.getMessage(), e);
    }
    return new SourceMemory(f, y, m.samples(), head.dim());
  }

  private static float[] floats(Path file, int expected, String what) {
    try {
      FloatData data = ArrayReader.loadFloats(file);
      if (data.data().length != expected) {
        throw new InvalidModelException(file + ": " + what + " have " + data.data().length
            + " values, the manifest implies " + expected);
      }
      return data.data();
    } catch (IOException e) {
      throw new InvalidModelException(file + ": cannot read " + what + ": " + e.getMessage(), e);
    }
  }
}
