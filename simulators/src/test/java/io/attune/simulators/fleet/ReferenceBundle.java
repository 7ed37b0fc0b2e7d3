package io.attune.simulators.fleet;

import io.attune.adaptation.bundle.ModelBundle;
import io.attune.adaptation.bundle.ModelPreparation;
import io.attune.adaptation.model.ModelCard;
import io.attune.simulators.RepoRoot;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The reference model prepared once per test JVM into a temporary bundle. */
final class ReferenceBundle {

  private static final ModelBundle BUNDLE = prepare();

  private ReferenceBundle() {}

  static ModelBundle get() {
    return BUNDLE;
  }

  private static ModelBundle prepare() {
    Path models = RepoRoot.find().resolve("models/fmnist-resnet");
    try {
      Path dir = Files.createTempDirectory("attune-fleet-bundle");
      dir.toFile().deleteOnExit();
      return ModelPreparation.prepare(new ModelPreparation.Options(models.resolve("model.onnx"),
          dir.resolve("bundle"), ModelCard.read(models.resolve("model.json")), null, null, null,
          null));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
