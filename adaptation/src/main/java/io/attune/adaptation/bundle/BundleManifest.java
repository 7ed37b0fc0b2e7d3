package io.attune.adaptation.bundle;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;

/**
 * The {@code manifest.json} of a model bundle: everything a worker or an edge needs besides the
 * graphs themselves. Source parameters are inline (kilobytes); head weights and the source
 * memory are {@code .npy} files beside it.
 *
 * @param formatVersion bumped on incompatible changes; readers refuse newer ones
 * @param name model name
 * @param sourceModel file name of the ONNX model the bundle was prepared from
 * @param sourceSha256 SHA-256 of that file, to tell which model a bundle belongs to
 * @param input name of the image input of every graph
 * @param inputShape per-sample shape {@code [C, H, W]}
 * @param preprocessing how raw pixels become the input, or null when unknown
 * @param classNames one per logit
 * @param opset default ONNX opset of the source model
 * @param fixedBatch batch size baked into the model, 0 when dynamic
 * @param insertedNormalization true when the source had its BN folded and Attune inserted
 *     normalization layers calibrated on source images
 * @param layers the normalization layers, in graph order
 * @param head the classifier head
 * @param graphs file names of the graphs and the tensors forward hands to backward
 * @param sourceMemory the source memory files, or null
 * @param classStatistics class-conditional feature statistics computed from the source memory
 *     at prepare time (CAFA's source Gaussians), or null when the bundle has no source memory
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record BundleManifest(
    int formatVersion,
    String name,
    String sourceModel,
    String sourceSha256,
    String input,
    List<Integer> inputShape,
    Preprocessing preprocessing,
    List<String> classNames,
    int opset,
    int fixedBatch,
    boolean insertedNormalization,
    List<Layer> layers,
    HeadInfo head,
    Graphs graphs,
    SourceMemory sourceMemory,
    ClassStatisticsFiles classStatistics) {

  public static final int FORMAT_VERSION = 1;

  /** {@code x = (pixel / pixelScale - mean[c]) / std[c]}. */
  public record Preprocessing(List<Float> mean, List<Float> std, float pixelScale) {}

  /** Raw 8-bit pixels of {@code count} samples to this model's input. */
  public float[] preprocess(byte[] pixels, int count) {
    if (preprocessing == null) {
      throw new io.attune.adaptation.model.InvalidModelException("bundle '" + name + "' has no "
          + "preprocessing (prepare it with --meta), so uint8 images cannot be normalized; "
          + "give float32 images already preprocessed");
    }
    return io.attune.adaptation.model.Pixels.normalize(pixels, count, inputShape,
        preprocessing.mean(), preprocessing.std(), preprocessing.pixelScale());
  }

  /** One normalization layer with its source parameters. */
  public record Layer(int index, String node, String input, String scale, String bias,
      String mean, String var, int channels, float epsilon, float[] sourceScale,
      float[] sourceBias, float[] sourceMean, float[] sourceVar) {}

  /**
   * The classifier head; weights {@code [classes, dim]} and bias {@code [classes]} as .npy.
   */
  public record HeadInfo(String logits, String features, int classes, int dim,
      String weightsFile, String biasFile) {}

  /** Graph files, relative to the bundle directory. */
  public record Graphs(String edge, String forward, String backward, List<String> saved) {}

  /**
   * Samples of the source distribution: penultimate features and labels ({@code [M, dim]},
   * {@code [M]}) for memory-based methods, and optionally images ({@code [K, ...]}, uint8 or
   * float32) for methods that measure the source model on clean data (EATA's Fisher).
   *
   * @param featuresFile features .npy, or null
   * @param labelsFile labels .npy, or null
   * @param samples M
   * @param imagesFile images (.npy or IDX), or null
   */
  public record SourceMemory(String featuresFile, String labelsFile, int samples,
      String imagesFile) {}

  /**
   * Where the class-conditional statistics of the penultimate features are and what they were
   * computed from ({@link ClassStatistics}).
   *
   * @param meansFile per-class means, {@code [classes, dim]} float32 .npy
   * @param covariancesFile per-class biased covariances, {@code [classes, dim, dim]}
   * @param sharedCovarianceFile the pooled within-class covariance, {@code [dim, dim]}
   * @param computedFrom the files they were computed from, as given to prepare
   * @param samples source samples used
   */
  public record ClassStatisticsFiles(String meansFile, String covariancesFile,
      String sharedCovarianceFile, List<String> computedFrom, int samples) {}

  public int parameterCount() {
    return layers.stream().mapToInt(l -> 2 * l.channels()).sum();
  }
}
