package io.attune.adaptation.bundle;

import ai.onnx.proto.OnnxMl.ModelProto;
import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.attune.adaptation.model.InvalidModelException;
import io.attune.adaptation.onnx.OnnxModels;
import io.attune.adaptation.runtime.AdaptationStep;
import io.attune.adaptation.runtime.RuntimeOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A prepared model on disk: {@code manifest.json}, the edge graph, the two adaptation graphs,
 * the head weights and, optionally, the source memory. Made by {@link ModelPreparation}.
 */
public final class ModelBundle {

  public static final String MANIFEST = "manifest.json";
  static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final Path dir;
  private final BundleManifest manifest;

  private ModelBundle(Path dir, BundleManifest manifest) {
    this.dir = dir;
    this.manifest = manifest;
  }

  /**
   * Opens a bundle directory and checks that its manifest is readable and its files exist.
   *
   * @throws InvalidModelException naming the directory and what is wrong
   */
  public static ModelBundle open(Path dir) {
    Path file = dir.resolve(MANIFEST);
    BundleManifest manifest;
    try {
      manifest = JSON.readValue(Files.readString(file), BundleManifest.class);
    } catch (NoSuchFileException e) {
      throw new InvalidModelException(dir + ": not a model bundle (no " + MANIFEST
          + "; make one with 'attune prepare')");
    } catch (JacksonException e) {
      throw new InvalidModelException(file + ": malformed manifest: " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new InvalidModelException(file + ": cannot read: " + e.getMessage(), e);
    }
    if (manifest.formatVersion() > BundleManifest.FORMAT_VERSION) {
      throw new InvalidModelException(file + ": bundle format " + manifest.formatVersion()
          + " is newer than this Attune reads (" + BundleManifest.FORMAT_VERSION + ")");
    }
    for (String f : List.of(manifest.graphs().edge(), manifest.graphs().forward(),
        manifest.graphs().backward(), manifest.head().weightsFile(), manifest.head().biasFile())) {
      if (!Files.isRegularFile(dir.resolve(f))) {
        throw new InvalidModelException(dir + ": bundle file " + f + " is missing");
      }
    }
    return new ModelBundle(dir, manifest);
  }

  static void writeManifest(Path dir, BundleManifest manifest) throws IOException {
    Files.writeString(dir.resolve(MANIFEST), JSON.writeValueAsString(manifest));
  }

  public Path dir() {
    return dir;
  }

  public BundleManifest manifest() {
    return manifest;
  }

  /** The bundle's clean source images, if it keeps any. */
  public java.util.Optional<Path> sourceImages() {
    BundleManifest.SourceMemory memory = manifest.sourceMemory();
    return memory == null || memory.imagesFile() == null ? java.util.Optional.empty()
        : java.util.Optional.of(dir.resolve(memory.imagesFile()));
  }

  public Path edgeGraph() {
    return dir.resolve(manifest.graphs().edge());
  }

  public long[] sampleShape() {
    return manifest.inputShape().stream().mapToLong(Integer::longValue).toArray();
  }

  /** Source values of every normalization parameter, by initializer name. */
  public Map<String, float[]> sourceParameters() {
    Map<String, float[]> params = new LinkedHashMap<>();
    for (BundleManifest.Layer l : manifest.layers()) {
      params.put(l.scale(), l.sourceScale().clone());
      params.put(l.bias(), l.sourceBias().clone());
      params.put(l.mean(), l.sourceMean().clone());
      params.put(l.var(), l.sourceVar().clone());
    }
    return params;
  }

  /** ONNX Runtime sessions of the adaptation graphs. */
  public AdaptationStep openStep(int threads) {
    return openStep(RuntimeOptions.cpu(threads));
  }

  /** ONNX Runtime sessions of the adaptation graphs, on the given provider. */
  public AdaptationStep openStep(RuntimeOptions runtime) {
    ModelProto forward = OnnxModels.read(dir.resolve(manifest.graphs().forward()));
    ModelProto backward = OnnxModels.read(dir.resolve(manifest.graphs().backward()));
    return new AdaptationStep(new AdaptationStep.StepGraphs(forward, backward, manifest.input(),
        sampleShape(), manifest.graphs().saved(), manifest.head().classes(),
        manifest.head().dim(), manifest.layers().stream().map(BundleManifest.Layer::scale).toList(),
        manifest.layers().stream().map(BundleManifest.Layer::bias).toList(),
        sourceParameters()), runtime);
  }
}
