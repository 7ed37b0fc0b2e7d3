package io.attune.adaptation.bundle;

import io.attune.adaptation.data.ArrayReader;
import io.attune.adaptation.data.FloatData;
import io.attune.adaptation.data.NpyWriter;
import io.attune.adaptation.data.Shape;
import io.attune.adaptation.model.InvalidModelException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Class-conditional Gaussian statistics of the source model's penultimate features, the
 * "pre-calculated source statistics" of CAFA (Jung et al., ICCV 2023): for every class
 * {@code c} with {@code N_c} samples, the mean {@code mu_c = (1/N_c) sum_{y_i=c} f_i} and the
 * biased covariance {@code Sigma_c = (1/N_c) sum_{y_i=c} (f_i - mu_c)(f_i - mu_c)^T}; plus the
 * pooled within-class covariance {@code (1/N) sum_c N_c Sigma_c} (the tied covariance of
 * Lee et al.'s Mahalanobis classifier), which is better conditioned when classes have few
 * samples. {@code attune prepare --source-memory} computes them in double precision and stores
 * them as float32 {@code .npy} files in the bundle.
 *
 * @param classes C
 * @param dim D, the feature width
 * @param means {@code [C, D]} row-major
 * @param covariances {@code [C, D, D]} row-major
 * @param shared {@code [D, D]}
 */
public record ClassStatistics(int classes, int dim, float[] means, float[] covariances,
    float[] shared) {

  static final String MEANS = "source-class-means.npy";
  static final String COVARIANCES = "source-class-covariances.npy";
  static final String SHARED = "source-shared-covariance.npy";

  public ClassStatistics {
    if (means.length != classes * dim || covariances.length != classes * dim * dim
        || shared.length != dim * dim) {
      throw new IllegalArgumentException("class statistics of " + classes + " classes x " + dim
          + " dims have " + means.length + " means, " + covariances.length + " covariance and "
          + shared.length + " shared covariance values");
    }
  }

  /**
   * Computes the statistics of labelled features.
   *
   * @param features {@code [M, dim]} row-major
   * @param labels {@code [M]}, each in {@code [0, classes)}
   * @throws IllegalArgumentException when a label is out of range or a class has no sample
   */
  public static ClassStatistics compute(float[] features, long[] labels, int classes, int dim) {
    int m = labels.length;
    double[] sums = new double[classes * dim];
    int[] counts = new int[classes];
    for (int i = 0; i < m; i++) {
      if (labels[i] < 0 || labels[i] >= classes) {
        throw new IllegalArgumentException("label " + labels[i] + " of source sample " + i
            + " is outside [0, " + classes + ")");
      }
      int c = (int) labels[i];
      counts[c]++;
      for (int d = 0; d < dim; d++) {
        sums[c * dim + d] += features[i * dim + d];
      }
    }
    for (int c = 0; c < classes; c++) {
      if (counts[c] == 0) {
        throw new IllegalArgumentException("class " + c + " has no source sample; CAFA needs "
            + "every class's mean and covariance");
      }
    }
    double[] mu = new double[classes * dim];
    for (int j = 0; j < mu.length; j++) {
      mu[j] = sums[j] / counts[j / dim];
    }
    double[] cov = new double[classes * dim * dim];
    double[] centred = new double[dim];
    for (int i = 0; i < m; i++) {
      int c = (int) labels[i];
      for (int d = 0; d < dim; d++) {
        centred[d] = features[i * dim + d] - mu[c * dim + d];
      }
      int base = c * dim * dim;
      for (int a = 0; a < dim; a++) {
        for (int b = a; b < dim; b++) {
          cov[base + a * dim + b] += centred[a] * centred[b];
        }
      }
    }
    float[] covariances = new float[cov.length];
    double[] pooled = new double[dim * dim];
    for (int c = 0; c < classes; c++) {
      int base = c * dim * dim;
      for (int a = 0; a < dim; a++) {
        for (int b = a; b < dim; b++) {
          double v = cov[base + a * dim + b];
          covariances[base + a * dim + b] = (float) (v / counts[c]);
          covariances[base + b * dim + a] = (float) (v / counts[c]);
          pooled[a * dim + b] += v;
        }
      }
    }
    float[] shared = new float[dim * dim];
    for (int a = 0; a < dim; a++) {
      for (int b = a; b < dim; b++) {
        shared[a * dim + b] = (float) (pooled[a * dim + b] / m);
        shared[b * dim + a] = shared[a * dim + b];
      }
    }
    float[] means = new float[mu.length];
    for (int j = 0; j < mu.length; j++) {
      means[j] = (float) mu[j];
    }
    return new ClassStatistics(classes, dim, means, covariances, shared);
  }

  /** Writes the three files into a bundle directory and says where they are. */
  BundleManifest.ClassStatisticsFiles write(Path dir, List<String> computedFrom, int samples)
      throws IOException {
    NpyWriter.write(dir.resolve(MEANS), new FloatData(Shape.of(classes, dim), means));
    NpyWriter.write(dir.resolve(COVARIANCES), new FloatData(Shape.of(classes, dim, dim),
        covariances));
    NpyWriter.write(dir.resolve(SHARED), new FloatData(Shape.of(dim, dim), shared));
    return new BundleManifest.ClassStatisticsFiles(MEANS, COVARIANCES, SHARED,
        List.copyOf(computedFrom), samples);
  }

  /**
   * The statistics a bundle keeps.
   *
   * @param needer the method that needs them, for the message
   * @throws InvalidModelException naming the prepare option when the bundle has none, or the
   *     file when it cannot be read
   */
  public static ClassStatistics load(ModelBundle bundle, String needer) {
    BundleManifest.ClassStatisticsFiles files = bundle.manifest().classStatistics();
    if (files == null) {
      throw new InvalidModelException(bundle.dir() + ": the bundle has no class statistics of "
          + "source features, which " + needer + " needs; prepare it with --source-memory "
          + "FEATURES.npy LABELS.npy");
    }
    int classes = bundle.manifest().head().classes();
    int dim = bundle.manifest().head().dim();
    float[] means = read(bundle.dir().resolve(files.meansFile()), classes * dim);
    float[] covariances = read(bundle.dir().resolve(files.covariancesFile()),
        classes * dim * dim);
    float[] shared = read(bundle.dir().resolve(files.sharedCovarianceFile()), dim * dim);
    return new ClassStatistics(classes, dim, means, covariances, shared);
  }

  private static float[] read(Path file, int size) {
    try {
      float[] values = ArrayReader.loadFloats(file).data();
      if (values.length != size) {
        throw new InvalidModelException(file + ": expected " + size + " values, found "
            + values.length);
      }
      return values;
    } catch (IOException e) {
      throw new InvalidModelException(file + ": cannot read class statistics: "
          + e.getMessage(), e);
    }
  }
}
