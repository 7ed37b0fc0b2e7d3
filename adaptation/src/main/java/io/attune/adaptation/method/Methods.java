package io.attune.adaptation.method;

import io.attune.adaptation.bundle.ModelBundle;
import io.attune.adaptation.runtime.AdaptationStep;
import java.util.List;

/** The methods by name, with their default hyperparameters, for one bundle. */
public final class Methods {

  /** Names accepted by {@link #create}. */
  public static final List<String> NAMES = List.of("source", "norm", "norm-ema", "tent");

  private Methods() {}

  /**
   * Creates a method over the given sessions.
   *
   * @throws IllegalArgumentException naming the valid methods when {@code name} is unknown
   */
  public static AdaptationMethod create(String name, ModelBundle bundle, AdaptationStep sessions) {
    ParameterLayout layout = new ParameterLayout(bundle.manifest().layers());
    int classes = bundle.manifest().head().classes();
    return switch (name) {
      case "source" -> new Source(sessions, layout, classes);
      case "norm" -> new Norm(sessions, layout, classes, Norm.Config.testTimeBatchNorm());
      case "norm-ema" -> new Norm(sessions, layout, classes, new Norm.Config(0f, 0.05f));
      case "tent" -> new Tent(sessions, layout, classes, Tent.Config.defaults());
      default -> throw new IllegalArgumentException("unknown method '" + name + "'; known: "
          + String.join(", ", NAMES));
    };
  }
}
