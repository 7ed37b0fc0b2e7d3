package io.attune.simulators;

import io.attune.adaptation.bundle.ModelBundle;
import io.attune.adaptation.bundle.ModelPreparation;
import io.attune.adaptation.model.ModelCard;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/** The shipped reference model prepared into a bundle, with its clean source images for EATA. */
public final class ReferenceBundle {

  private ReferenceBundle() {}

  /** Prepares models/fmnist-resnet into {@code dir}. */
  public static ModelBundle prepare(Path dir) {
    final Path models = RepoRoot.find().resolve("models").resolve("fmnist-resnet");
    try {
      return ModelPreparation.prepare(new ModelPreparation.Options(models.resolve("model.onnx"),
          dir, ModelCard.read(models.resolve("model.json")), null, null, null,
          models.resolve("source-memory/images.npy")));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
