package io.attune.adaptation.drift;

import io.attune.adaptation.bundle.BundleManifest;
import io.attune.adaptation.bundle.ModelBundle;
import io.attune.adaptation.data.ArrayReader;
import io.attune.adaptation.method.AdaptationMethod;
import io.attune.adaptation.method.Batch;
import io.attune.adaptation.method.MethodState;
import io.attune.adaptation.method.SourceImages;
import io.attune.adaptation.model.InvalidModelException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * What a cohort's drift signals are measured against, fixed per model: the source's
 * normalization statistics, the source model's class prior, and the confidence threshold of
 * Average Thresholded Confidence.
 *
 * <h2>Calibration</h2>
 * The threshold and the prior come from the source model on the bundle's clean source images
 * ({@code prepare --source-images}) with their labels ({@code prepare --source-memory}, when it
 * holds the same samples, or a labels file): {@link #calibrate} runs the {@code source} method
 * over them once, a few seconds when a worker loads a model. Nothing is stored in the bundle, so
 * bundles made before drift signals existed work unchanged.
 * <ul>
 *   <li>ATC (Garg et al., "Leveraging Unlabeled Data to Predict Out-of-Distribution Performance",
 *       ICLR 2022) with the negative-entropy score, the paper's better variant: the threshold
 *       {@code t} is set so that the share of calibration samples with entropy below it equals
 *       the source model's accuracy on them; on new data the share of samples below {@code t}
 *       estimates the accuracy. Deviation: the paper calibrates on held-out validation data;
 *       the bundle keeps training images, on which the reference model is 2.3 pp more accurate
 *       (94.7% vs 92.4%) and correspondingly more confident, so the threshold scales both.
 *   <li>The class prior is the source model's mean predicted distribution on those images, not
 *       the uniform distribution: the class-divergence signal should read zero when nothing
 *       changed, and a model biased towards some classes (or trained on imbalanced data) would
 *       otherwise show a permanent divergence. On balanced Fashion-MNIST the two nearly coincide.
 * </ul>
 *
 * @param layers source statistics of every normalization layer, in layer order
 * @param classPrior the source model's mean class probabilities on clean data, sums to 1
 * @param entropyThreshold ATC threshold: a prediction with entropy below it (nats) counts as
 *     confident
 * @param calibrationAccuracy the source model's accuracy on the calibration images
 * @param calibrationSamples how many calibration images there were
 */
public record DriftReference(List<LayerStatistics> layers, float[] classPrior,
    double entropyThreshold, double calibrationAccuracy, int calibrationSamples) {

  /** Smallest prior probability, so that a class the source never predicts keeps KL finite. */
  static final float PRIOR_FLOOR = 1e-4f;

  /**
   * Source statistics of one normalization layer.
   *
   * @param name the layer's node name
   * @param mean {@code [channels]}
   * @param var {@code [channels]}
   * @param epsilon the layer's epsilon, added to both variances in the divergence
   */
  public record LayerStatistics(String name, float[] mean, float[] var, float epsilon) {
    public LayerStatistics {
      if (mean.length != var.length || mean.length == 0) {
        throw new IllegalArgumentException(name + ": " + mean.length + " means and "
            + var.length + " variances");
      }
      mean = mean.clone();
      var = var.clone();
    }

    public int channels() {
      return mean.length;
    }

    @Override
    public float[] mean() {
      return mean.clone();
    }

    @Override
    public float[] var() {
      return var.clone();
    }
  }

  public DriftReference {
    layers = List.copyOf(layers);
    if (classPrior.length < 2) {
      throw new IllegalArgumentException("a class prior needs at least 2 classes, got "
          + classPrior.length);
    }
    classPrior = classPrior.clone();
    if (!(entropyThreshold > 0)) {
      throw new IllegalArgumentException("entropy threshold must be > 0 nats, got "
          + entropyThreshold);
    }
  }

  @Override
  public float[] classPrior() {
    return classPrior.clone();
  }

  public int classes() {
    return classPrior.length;
  }

  /** Total channels over all layers: the length of a batch-statistics vector. */
  public int channels() {
    return layers.stream().mapToInt(LayerStatistics::channels).sum();
  }

  /** The source statistics of a bundle's normalization layers. */
  public static List<LayerStatistics> sourceStatistics(BundleManifest manifest) {
    return manifest.layers().stream().map(l -> new LayerStatistics(l.node(), l.sourceMean(),
        l.sourceVar(), l.epsilon())).toList();
  }

  /**
   * The reference from the source model's probabilities on labelled clean images.
   *
   * @param probabilities {@code [N, classes]} of the source model
   * @param labels {@code [N]}, the true classes
   */
  public static DriftReference fit(List<LayerStatistics> layers, float[] probabilities,
      int[] labels, int classes) {
    int n = labels.length;
    if (n < 1 || probabilities.length != n * classes) {
      throw new IllegalArgumentException(probabilities.length + " probabilities are not "
          + n + " x " + classes);
    }
    double[] entropies = new double[n];
    double[] prior = new double[classes];
    int correct = 0;
    for (int i = 0; i < n; i++) {
      entropies[i] = Probabilities.entropy(probabilities, i, classes);
      if (Probabilities.argmax(probabilities, i, classes) == labels[i]) {
        correct++;
      }
      for (int c = 0; c < classes; c++) {
        prior[c] += probabilities[i * classes + c] / n;
      }
    }
    double accuracy = correct / (double) n;
    return new DriftReference(layers, floored(prior),
        threshold(entropies, correct), accuracy, n);
  }

  /**
   * The entropy below which exactly {@code confident} of the calibration samples fall: halfway
   * between the {@code confident}-th smallest entropy and the next, so that ties in the data
   * are not split by floating-point luck.
   */
  static double threshold(double[] entropies, int confident) {
    double[] sorted = entropies.clone();
    Arrays.sort(sorted);
    if (confident >= sorted.length) {
      return sorted[sorted.length - 1] + 1e-6;
    }
    double above = sorted[confident];
    double below = confident == 0 ? 0 : sorted[confident - 1];
    return Math.max((below + above) / 2, 1e-9);
  }

  private static float[] floored(double[] prior) {
    float[] p = new float[prior.length];
    double sum = 0;
    for (int c = 0; c < p.length; c++) {
      p[c] = (float) Math.max(prior[c], PRIOR_FLOOR);
      sum += p[c];
    }
    for (int c = 0; c < p.length; c++) {
      p[c] /= (float) sum;
    }
    return p;
  }

  /**
   * Runs the source model over clean labelled images and {@link #fit}s the reference.
   *
   * @param source the {@code source} method of the bundle (its batch size does not matter: it
   *     normalizes with the source statistics)
   */
  public static DriftReference calibrate(BundleManifest manifest, AdaptationMethod source,
      SourceImages images, int[] labels) {
    if (labels.length != images.count()) {
      throw new IllegalArgumentException(images.count() + " calibration images but "
          + labels.length + " labels");
    }
    int classes = manifest.head().classes();
    float[] probabilities = new float[images.count() * classes];
    MethodState state = source.initialState();
    int batch = 256;
    for (int from = 0; from < images.count(); from += batch) {
      int n = Math.min(batch, images.count() - from);
      float[] p = source.step(state, new Batch(images.slice(from, n), n)).outputs()
          .probabilities();
      System.arraycopy(p, 0, probabilities, from * classes, p.length);
    }
    return fit(sourceStatistics(manifest), probabilities, labels, classes);
  }

  /**
   * Calibrates on a bundle's source images, labelled by {@code labels} when given, else by the
   * bundle's source-memory labels when they are as many as the images (prepared with
   * {@code --source-memory} and {@code --source-images} of the same samples).
   *
   * @throws InvalidModelException naming the bundle or file when images or labels are missing
   *     or do not match
   */
  public static DriftReference calibrate(ModelBundle bundle, AdaptationMethod source,
      Optional<Path> labels) {
    SourceImages images = SourceImages.load(bundle, "drift calibration");
    return calibrate(bundle.manifest(), source, images, labels(bundle, labels, images.count()));
  }

  /** The labels of a bundle's source images: {@code labels} when given, else the bundle's. */
  static int[] labels(ModelBundle bundle, Optional<Path> labels, int count) {
    Path file = labels.or(() -> bundleLabels(bundle)).orElseThrow(() ->
        new InvalidModelException(bundle.dir() + ": drift calibration needs the labels of the "
            + "bundle's source images; prepare it with --source-memory FEATURES LABELS of the "
            + "same samples as --source-images, or give a labels file"));
    return readLabels(file, count);
  }

  private static Optional<Path> bundleLabels(ModelBundle bundle) {
    BundleManifest.SourceMemory memory = bundle.manifest().sourceMemory();
    return memory == null || memory.labelsFile() == null ? Optional.empty()
        : Optional.of(bundle.dir().resolve(memory.labelsFile()));
  }

  private static int[] readLabels(Path file, int expected) {
    try (ArrayReader reader = ArrayReader.open(file)) {
      if (reader.itemCount() != expected) {
        throw new InvalidModelException(file + ": " + reader.itemCount() + " labels for "
            + expected + " source images; drift calibration needs one label per image");
      }
      long[] wide = reader.readLongs(expected);
      int[] y = new int[expected];
      for (int i = 0; i < expected; i++) {
        y[i] = Math.toIntExact(wide[i]);
      }
      return y;
    } catch (IOException e) {
      throw new InvalidModelException(file + ": cannot read labels: " + e.getMessage(), e);
    }
  }
}
