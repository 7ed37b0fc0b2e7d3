package io.attune.adaptation;

import io.attune.adaptation.bundle.ModelBundle;
import io.attune.adaptation.bundle.ModelPreparation;
import io.attune.adaptation.model.ModelCard;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The shipped reference model and data, for tests of every module (published in adaptation's
 * test jar).
 */
public final class ReferenceModel {

  private ReferenceModel() {}

  public static Path modelDir() {
    return RepoRoot.find().resolve("models/fmnist-resnet");
  }

  public static Path testImages() {
    return RepoRoot.find().resolve("data/fashion-mnist/t10k-images-idx3-ubyte.gz");
  }

  public static Path testLabels() {
    return RepoRoot.find().resolve("data/fashion-mnist/t10k-labels-idx1-ubyte.gz");
  }

  /** Prepares the reference model (BN kept) into {@code dir}, with its 2,000 source images. */
  public static ModelBundle prepareBundle(Path dir) {
    Path models = modelDir();
    try {
      ModelCard card = ModelCard.read(models.resolve("model.json"));
      return ModelPreparation.prepare(new ModelPreparation.Options(models.resolve("model.onnx"),
          dir, card, null, null, null, models.resolve("source-memory/images.npy")));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The reference bundle prepared once per test JVM into a temporary directory, for tests that
   * only read it.
   */
  public static ModelBundle sharedBundle() {
    return Shared.BUNDLE;
  }

  /** Holder: prepared on first use, so tests that never ask pay nothing. */
  private static final class Shared {
    static final ModelBundle BUNDLE = prepareShared();

    private static ModelBundle prepareShared() {
      try {
        Path dir = Files.createTempDirectory("attune-reference-bundle");
        dir.toFile().deleteOnExit();
        return prepareBundle(dir.resolve("bundle"));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /**
   * Prepares the reference model (BN kept) into {@code dir} with its 2,000 source images and
   * their source memory (features and labels of the same samples), all that drift monitoring
   * needs to calibrate.
   */
  public static ModelBundle prepareMonitoredBundle(Path dir) {
    Path models = modelDir();
    Path memory = models.resolve("source-memory");
    try {
      ModelCard card = ModelCard.read(models.resolve("model.json"));
      return ModelPreparation.prepare(new ModelPreparation.Options(models.resolve("model.onnx"),
          dir, card, memory.resolve("features.npy"), memory.resolve("labels.npy"), null,
          memory.resolve("images.npy")));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
