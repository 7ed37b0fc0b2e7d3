package io.attune.adaptation.method;

import io.attune.adaptation.bundle.ModelBundle;
import io.attune.adaptation.runtime.AdaptationStep;
import io.attune.adaptation.method.safety.CollapseGuard;
import io.attune.adaptation.method.safety.OpenSetFilter;
import io.attune.adaptation.method.safety.StochasticRestore;
import java.util.List;

/** The methods by name, with their default hyperparameters, for one bundle. */
public final class Methods {

  /** Names accepted by {@link #create}. */
  public static final List<String> NAMES = List.of("source", "norm", "norm-ema", "tent",
      "eata", "eta", "sar", "tent+openset", "tent+restore", "tent+guard", "eata+guard",
      "sar+guard", "lame", "lame+norm", "t3a", "t3a+norm", "adanpc", "adanpc+norm");

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
      case "tent" -> new Tent(sessions, layout, classes, Tent.Config.defaults(),
          SampleMask.all());
      case "eata" -> new Eata(sessions, layout, classes, Eata.Config.defaults(classes),
          SourceImages.load(bundle, "eata"), SampleMask.all());
      case "eta" -> Eata.withoutRegularizer(sessions, layout, classes,
          Eata.Config.defaults(classes), SampleMask.all());
      case "sar" -> new Sar(sessions, layout, classes, Sar.Config.defaults(classes),
          SampleMask.all());
      case "tent+openset" -> new Tent(sessions, layout, classes, Tent.Config.defaults(),
          new OpenSetFilter(sessions, layout, classes, OpenSetFilter.Config.defaults()));
      case "tent+restore" -> new StochasticRestore(
          new Tent(sessions, layout, classes, Tent.Config.defaults(), SampleMask.all()),
          layout,
          StochasticRestore.Config.defaults());
      case "tent+guard" -> new CollapseGuard(
          new Tent(sessions, layout, classes, Tent.Config.defaults(), SampleMask.all()),
          layout,
          CollapseGuard.Config.defaults(classes));
      case "eata+guard" -> new CollapseGuard(
          new Eata(sessions, layout, classes, Eata.Config.defaults(classes),
              SourceImages.load(bundle, "eata"), SampleMask.all()), layout,
          CollapseGuard.Config.defaults(classes));
      case "sar+guard" -> new CollapseGuard(
          new Sar(sessions, layout, classes, Sar.Config.defaults(classes), SampleMask.all()),
          layout, CollapseGuard.Config.defaults(classes));
      case "lame" -> new Lame(sessions, layout, classes, Lame.Config.defaults(),
          FeatureForward.Statistics.SOURCE);
      case "lame+norm" -> new Lame(sessions, layout, classes, Lame.Config.defaults(),
          FeatureForward.Statistics.BATCH);
      case "t3a" -> new T3a(sessions, layout, BundleArrays.head(bundle), T3a.Config.defaults(),
          FeatureForward.Statistics.SOURCE);
      case "t3a+norm" -> new T3a(sessions, layout, BundleArrays.head(bundle),
          T3a.Config.defaults(), FeatureForward.Statistics.BATCH);
      case "adanpc" -> new AdaNpc(sessions, layout, classes,
          BundleArrays.sourceMemory(bundle, "adanpc"), AdaNpc.Config.defaults(),
          FeatureForward.Statistics.SOURCE);
      case "adanpc+norm" -> new AdaNpc(sessions, layout, classes,
          BundleArrays.sourceMemory(bundle, "adanpc"), AdaNpc.Config.defaults(),
          FeatureForward.Statistics.BATCH);
      default -> throw new IllegalArgumentException("unknown method '" + name + "'; known: "
          + String.join(", ", NAMES));
    };
  }
}
