package io.attune.adaptation.bundle;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import io.attune.adaptation.data.ArrayReader;
import io.attune.adaptation.data.DType;
import io.attune.adaptation.data.FloatData;
import io.attune.adaptation.data.MalformedDataException;
import io.attune.adaptation.data.NpyWriter;
import io.attune.adaptation.data.Shape;
import io.attune.adaptation.model.InvalidModelException;
import io.attune.adaptation.model.ModelCard;
import io.attune.adaptation.onnx.OnnxModels;
import io.attune.adaptation.onnx.internal.AdaptationGraphs;
import io.attune.adaptation.onnx.internal.EdgeGraph;
import io.attune.adaptation.onnx.internal.ModelAnalysis;
import io.attune.adaptation.onnx.internal.NormLayer;
import io.attune.adaptation.onnx.internal.NormalizationInsertion;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
import java.util.stream.IntStream;

/**
 * {@code attune prepare}: turns a standard ONNX classifier into a model bundle (edge graph,
 * adaptation graphs, manifest, head weights, source memory).
 */
public final class ModelPreparation {

  /**
   * What to prepare.
   *
   * @param model the ONNX classifier
   * @param out the bundle directory to write (created; files in it are replaced)
   * @param card preprocessing and class names, or null (then the input shape comes from the
   *     model and classes are numbered)
   * @param sourceFeatures penultimate features of source samples ({@code .npy}, M x D), or null
   * @param sourceLabels their labels ({@code .npy}, M), or null
   * @param calibration source images for models whose BN was folded away: uint8 pixels
   *     (preprocessed with the card) or float32 already preprocessed, IDX or .npy; or null
   * @param sourceImages clean source images kept in the bundle for methods that need them
   *     (EATA's Fisher information), or null; the calibration images serve when absent
   */
  public record Options(Path model, Path out, ModelCard card, Path sourceFeatures,
      Path sourceLabels, Path calibration, Path sourceImages) {}

  /** Calibration images per ONNX Runtime call. */
  private static final int CALIBRATION_BATCH = 250;

  private ModelPreparation() {}

  public static ModelBundle prepare(Options options) throws IOException {
    ModelProto model = OnnxModels.read(options.model());
    long[] sampleShape = sampleShape(options);
    ModelAnalysis analysis = ModelAnalysis.of(model, sampleShape);
    boolean inserted = false;
    if (analysis.norms().isEmpty() && !analysis.unsupportedNormalizations().isEmpty()) {
      List<String> other = analysis.unsupportedNormalizations();
      throw new InvalidModelException(options.model() + ": normalizes with " + other.get(0)
          + (other.size() > 1 ? " and " + (other.size() - 1) + " more" : "") + "; Attune "
          + "adapts BatchNormalization layers only (LayerNormalization, GroupNormalization and "
          + "InstanceNormalization are not supported yet)");
    }
    if (analysis.norms().isEmpty()) {
      if (options.calibration() == null) {
        throw new InvalidModelException(options.model() + ": has no BatchNormalization layer "
            + "(exporters fold BN into the convolutions); pass --calibration with source "
            + "images (e.g. a few thousand training images) so that Attune inserts calibrated "
            + "normalization layers");
      }
      ModelProto withNorms = NormalizationInsertion.insert(model, analysis.input(), sampleShape,
          analysis.shapes(), calibrationBatches(options, sampleShape,
              analysis.shapes().fixedBatch()));
      analysis = ModelAnalysis.of(withNorms, sampleShape);
      inserted = true;
    } else if (options.calibration() != null
        && !NormalizationInsertion.candidates(analysis.graph(), analysis.shapes()).isEmpty()) {
      // Partly folded: the exporter folded the BN layers that follow a convolution and kept
      // the others (DenseNet's BN-ReLU-Conv, pre-activation blocks). Given calibration images,
      // the folded ones get calibrated layers too.
      ModelProto withNorms = NormalizationInsertion.insert(model, analysis.input(), sampleShape,
          analysis.shapes(), calibrationBatches(options, sampleShape,
              analysis.shapes().fixedBatch()));
      analysis = ModelAnalysis.of(withNorms, sampleShape);
      inserted = true;
    }
    AdaptationGraphs.Pair graphs = AdaptationGraphs.build(analysis);
    Path out = options.out();
    Files.createDirectories(out);
    OnnxModels.write(EdgeGraph.build(analysis), out.resolve("edge.onnx"));
    OnnxModels.write(graphs.forward(), out.resolve("adapt-forward.onnx"));
    OnnxModels.write(graphs.backward(), out.resolve("adapt-backward.onnx"));
    NpyWriter.write(out.resolve("head-weights.npy"), new FloatData(
        Shape.of(analysis.head().classes(), analysis.head().dim()), analysis.head().weights()));
    NpyWriter.write(out.resolve("head-bias.npy"), new FloatData(
        Shape.of(analysis.head().classes()), analysis.head().bias()));
    BundleManifest.SourceMemory memory = copySourceMemory(options, analysis, out, sampleShape);
    BundleManifest.ClassStatisticsFiles statistics = memory == null
        || memory.featuresFile() == null ? null : classStatistics(options, analysis, out);
    BundleManifest manifest = manifest(options, analysis, graphs, sampleShape, memory,
        statistics, inserted);
    ModelBundle.writeManifest(out, manifest);
    return ModelBundle.open(out);
  }

  private static BundleManifest manifest(Options options, ModelAnalysis analysis,
      AdaptationGraphs.Pair graphs, long[] sampleShape, BundleManifest.SourceMemory memory,
      BundleManifest.ClassStatisticsFiles statistics, boolean inserted) throws IOException {
    Map<String, float[]> source = analysis.sourceParameters();
    List<BundleManifest.Layer> layers = new ArrayList<>();
    for (NormLayer n : analysis.norms()) {
      layers.add(new BundleManifest.Layer(n.index(), n.node(), n.input(), n.scale(), n.bias(),
          n.mean(), n.var(), n.channels(), n.epsilon(), source.get(n.scale()),
          source.get(n.bias()), source.get(n.mean()), source.get(n.var())));
    }
    ModelCard card = options.card();
    int classes = analysis.head().classes();
    List<String> classNames = card != null && card.numClasses() == classes ? card.classNames()
        : IntStream.range(0, classes).mapToObj(i -> "class" + i).toList();
    String name = card != null && card.name() != null ? card.name()
        : options.model().getFileName().toString().replaceFirst("\\.onnx$", "");
    return new BundleManifest(BundleManifest.FORMAT_VERSION, name,
        options.model().getFileName().toString(), sha256(options.model()), analysis.input(),
        java.util.Arrays.stream(sampleShape).mapToInt(Math::toIntExact).boxed().toList(),
        card == null ? null : new BundleManifest.Preprocessing(card.mean(), card.std(),
            card.pixelScale()),
        classNames, analysis.opset(), analysis.shapes().fixedBatch(), inserted, layers,
        new BundleManifest.HeadInfo(analysis.head().logits(), analysis.head().features(),
            classes, analysis.head().dim(), "head-weights.npy", "head-bias.npy"),
        new BundleManifest.Graphs("edge.onnx", "adapt-forward.onnx", "adapt-backward.onnx",
            graphs.saved()),
        memory, statistics);
  }

  /**
   * Calibration images in batches, preprocessed; read eagerly (a few thousand images). A model
   * exported with a fixed batch size runs only batches of that size: the images that do not
   * fill a last batch are left out.
   */
  private static IntFunction<float[]> calibrationBatches(Options options, long[] sampleShape,
      int fixedBatch) throws IOException {
    int batch = fixedBatch > 0 ? fixedBatch : CALIBRATION_BATCH;
    int sampleSize = 1;
    for (long d : sampleShape) {
      sampleSize *= (int) d;
    }
    List<float[]> batches = new ArrayList<>();
    try (ArrayReader reader = ArrayReader.open(options.calibration())) {
      if (reader.itemElements() != sampleSize) {
        throw new MalformedDataException(options.calibration(), "calibration images of shape "
            + reader.shape() + " do not fit the model's input " + Arrays.toString(sampleShape));
      }
      boolean pixels = reader.dtype() == DType.UINT8;
      if (pixels && options.card() == null) {
        throw new InvalidModelException(options.calibration() + ": uint8 images need the "
            + "model's preprocessing; pass --meta, or give float32 preprocessed images");
      }
      while (reader.hasNext()) {
        float[] values;
        if (pixels) {
          byte[] raw = reader.readBytes(batch);
          values = options.card().preprocess(raw, raw.length / sampleSize);
        } else {
          values = reader.readFloats(batch);
        }
        if (fixedBatch == 0 || values.length == fixedBatch * sampleSize) {
          batches.add(values);
        }
      }
    }
    if (batches.isEmpty()) {
      throw new MalformedDataException(options.calibration(), "the model runs batches of "
          + fixedBatch + " images only (its batch size is fixed), and there are fewer "
          + "calibration images than that");
    }
    return i -> i < batches.size() ? batches.get(i) : null;
  }

  private static BundleManifest.SourceMemory copySourceMemory(Options options,
      ModelAnalysis analysis, Path out, long[] sampleShape) throws IOException {
    Path images = options.sourceImages() != null ? options.sourceImages()
        : options.calibration();
    String imagesFile = null;
    if (images != null) {
      try (ArrayReader reader = ArrayReader.open(images)) {
        long size = Arrays.stream(sampleShape).reduce(1, Math::multiplyExact);
        if (reader.itemElements() != size) {
          throw new MalformedDataException(images, "source images of shape " + reader.shape()
              + " do not fit the model's input " + Arrays.toString(sampleShape));
        }
      }
      imagesFile = "source-images" + (images.getFileName().toString().endsWith(".npy")
          ? ".npy" : ".idx" + (images.getFileName().toString().endsWith(".gz") ? ".gz" : ""));
      Files.copy(images, out.resolve(imagesFile), StandardCopyOption.REPLACE_EXISTING);
    }
    if (options.sourceFeatures() == null) {
      return imagesFile == null ? null
          : new BundleManifest.SourceMemory(null, null, 0, imagesFile);
    }
    FloatData features = io.attune.adaptation.data.ArrayReader.loadFloats(options.sourceFeatures());
    long[] labels = io.attune.adaptation.data.ArrayReader.loadLongs(options.sourceLabels()).data();
    if (features.shape().rank() != 2 || features.shape().dim(1) != analysis.head().dim()
        || features.shape().dim(0) != labels.length) {
      throw new InvalidModelException(options.sourceFeatures() + ": source memory must be "
          + labels.length + " x " + analysis.head().dim() + " features with one label each, got "
          + features.shape() + " and " + labels.length + " labels");
    }
    Files.copy(options.sourceFeatures(), out.resolve("source-features.npy"),
        StandardCopyOption.REPLACE_EXISTING);
    Files.copy(options.sourceLabels(), out.resolve("source-labels.npy"),
        StandardCopyOption.REPLACE_EXISTING);
    return new BundleManifest.SourceMemory("source-features.npy", "source-labels.npy",
        labels.length, imagesFile);
  }

  /** CAFA's source class-conditional statistics of the (already validated) source memory. */
  private static BundleManifest.ClassStatisticsFiles classStatistics(Options options,
      ModelAnalysis analysis, Path out) throws IOException {
    float[] features = ArrayReader.loadFloats(options.sourceFeatures()).data();
    long[] labels = ArrayReader.loadLongs(options.sourceLabels()).data();
    ClassStatistics statistics;
    try {
      statistics = ClassStatistics.compute(features, labels, analysis.head().classes(),
          analysis.head().dim());
    } catch (IllegalArgumentException e) {
      throw new InvalidModelException(options.sourceLabels() + ": " + e.getMessage(), e);
    }
    return statistics.write(out, List.of(options.sourceFeatures().getFileName().toString(),
        options.sourceLabels().getFileName().toString()), labels.length);
  }

  private static long[] sampleShape(Options options) {
    if (options.card() != null) {
      return options.card().inputShape().stream().mapToLong(Integer::longValue).toArray();
    }
    try (OrtSession.SessionOptions so = new OrtSession.SessionOptions();
        OrtSession session = OrtEnvironment.getEnvironment().createSession(
            options.model().toString(), so)) {
      long[] shape = ((TensorInfo) session.getInputInfo().values().iterator().next().getInfo())
          .getShape();
      long[] sample = java.util.Arrays.copyOfRange(shape, 1, shape.length);
      if (java.util.Arrays.stream(sample).anyMatch(d -> d <= 0)) {
        throw new InvalidModelException(options.model() + ": input shape "
            + java.util.Arrays.toString(shape) + " has dynamic sizes besides the batch; pass "
            + "--meta with an inputShape");
      }
      return sample;
    } catch (OrtException e) {
      throw new InvalidModelException(options.model() + ": ONNX Runtime cannot load it: "
          + e.getMessage(), e);
    }
  }

  private static String sha256(Path file) throws IOException {
    try (InputStream in = new DigestInputStream(Files.newInputStream(file),
        MessageDigest.getInstance("SHA-256"))) {
      in.transferTo(java.io.OutputStream.nullOutputStream());
      return HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }
}
