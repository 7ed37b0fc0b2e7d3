package io.attune.adaptation.method;

import io.attune.adaptation.bundle.BundleManifest;
import io.attune.adaptation.bundle.ClassStatistics;
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
      "sar+guard", "lame", "lame+norm", "t3a", "t3a+norm", "t3a+ema", "adanpc", "adanpc+norm",
      "adanpc+ema", "roid", "roid+ema", "cafa");

  private Methods() {}

  /**
   * Creates a method over the given sessions.
   *
   * @throws IllegalArgumentException naming the valid methods when {@code name} is unknown
   */
  public static AdaptationMethod create(String name, ModelBundle bundle, AdaptationStep sessions) {
    return create(name, bundle, sessions, Hyperparameters.none());
  }

  /**
   * Creates a method with some of its hyperparameters overridden (see {@link Hyperparameters}
   * for the names).
   *
   * @throws IllegalArgumentException naming the valid methods when {@code name} is unknown, or
   *     when an override is unknown to the method, does not parse or is out of range
   */
  public static AdaptationMethod create(String name, ModelBundle bundle, AdaptationStep sessions,
      Hyperparameters overrides) {
    Hyperparameters h = Hyperparameters.of(overrides.values());
    AdaptationMethod method = build(name, bundle, sessions, h);
    h.requireAllUsed(name);
    return method;
  }

  private static AdaptationMethod build(String name, ModelBundle bundle, AdaptationStep sessions,
      Hyperparameters h) {
    ParameterLayout layout = new ParameterLayout(bundle.manifest().layers());
    int classes = bundle.manifest().head().classes();
    return switch (name) {
      case "source" -> new Source(sessions, layout, classes);
      case "norm" -> new Norm(sessions, layout, classes,
          h.apply(Norm.Config.testTimeBatchNorm()));
      case "norm-ema" -> new Norm(sessions, layout, classes,
          h.apply(Norm.Config.runningStatistics()));
      case "tent" -> new Tent(sessions, layout, classes, h.apply(Tent.Config.defaults()),
          SampleMask.all());
      case "eata" -> new Eata(sessions, layout, classes, h.apply(Eata.Config.defaults(classes)),
          SourceImages.load(bundle, "eata"), SampleMask.all());
      case "eta" -> Eata.withoutRegularizer(sessions, layout, classes,
          h.apply(Eata.Config.defaults(classes)), SampleMask.all());
      case "sar" -> new Sar(sessions, layout, classes, h.apply(Sar.Config.defaults(classes)),
          SampleMask.all());
      case "tent+openset" -> new Tent(sessions, layout, classes, h.apply(Tent.Config.defaults()),
          new OpenSetFilter(sessions, layout, classes,
              h.apply("openset", OpenSetFilter.Config.defaults())));
      case "tent+restore" -> new StochasticRestore(
          new Tent(sessions, layout, classes, h.apply(Tent.Config.defaults()), SampleMask.all()),
          layout,
          h.apply("restore", StochasticRestore.Config.defaults()));
      case "tent+guard" -> new CollapseGuard(
          new Tent(sessions, layout, classes, h.apply(Tent.Config.defaults()), SampleMask.all()),
          layout,
          h.apply("guard", CollapseGuard.Config.defaults(classes)));
      case "eata+guard" -> new CollapseGuard(
          new Eata(sessions, layout, classes, h.apply(Eata.Config.defaults(classes)),
              SourceImages.load(bundle, "eata"), SampleMask.all()), layout,
          h.apply("guard", CollapseGuard.Config.defaults(classes)));
      case "sar+guard" -> new CollapseGuard(
          new Sar(sessions, layout, classes, h.apply(Sar.Config.defaults(classes)),
              SampleMask.all()),
          layout, h.apply("guard", CollapseGuard.Config.defaults(classes)));
      case "lame" -> new Lame(sessions, layout, classes, h.apply(Lame.Config.defaults()),
          FeatureForward.Statistics.SOURCE);
      case "lame+norm" -> new Lame(sessions, layout, classes, h.apply(Lame.Config.defaults()),
          FeatureForward.Statistics.BATCH);
      case "t3a" -> new T3a(sessions, layout, BundleArrays.head(bundle),
          h.apply(T3a.Config.defaults()), FeatureForward.Statistics.SOURCE);
      case "t3a+norm" -> new T3a(sessions, layout, BundleArrays.head(bundle),
          h.apply(T3a.Config.defaults()), FeatureForward.Statistics.BATCH);
      case "t3a+ema" -> new T3a(sessions, layout, BundleArrays.head(bundle),
          h.apply(T3a.Config.defaults()), FeatureForward.Statistics.RUNNING);
      case "adanpc" -> new AdaNpc(sessions, layout, classes,
          BundleArrays.sourceMemory(bundle, "adanpc"), h.apply(AdaNpc.Config.defaults()),
          FeatureForward.Statistics.SOURCE);
      case "adanpc+norm" -> new AdaNpc(sessions, layout, classes,
          BundleArrays.sourceMemory(bundle, "adanpc"), h.apply(AdaNpc.Config.defaults()),
          FeatureForward.Statistics.BATCH);
      case "adanpc+ema" -> new AdaNpc(sessions, layout, classes,
          BundleArrays.sourceMemory(bundle, "adanpc"), h.apply(AdaNpc.Config.defaults()),
          FeatureForward.Statistics.RUNNING);
      case "roid" -> new Roid(sessions, layout, classes, h.apply(Roid.Config.defaults()),
          augmentation(bundle.manifest()));
      case "roid+ema" -> new Roid(sessions, layout, classes,
          h.apply(Roid.Config.onRunningStatistics()), augmentation(bundle.manifest()));
      case "cafa" -> new Cafa(sessions, layout, classes, h.apply(Cafa.Config.defaults()),
          ClassStatistics.load(bundle, "cafa"));
      default -> throw new IllegalArgumentException("unknown method '" + name + "'; known: "
          + String.join(", ", NAMES));
    };
  }

  /**
   * ROID's augmentation for a bundle's input: pixel space through the bundle's preprocessing,
   * or the inputs taken as [0, 1] images when the bundle has none.
   */
  static TtaAugmentation augmentation(BundleManifest manifest) {
    List<Integer> shape = manifest.inputShape();
    int channels = shape.get(0);
    float[] mean = new float[channels];
    float[] std = new float[channels];
    java.util.Arrays.fill(std, 1f);
    BundleManifest.Preprocessing pre = manifest.preprocessing();
    for (int c = 0; pre != null && c < channels; c++) {
      mean[c] = pre.mean().get(pre.mean().size() == 1 ? 0 : c);
      std[c] = pre.std().get(pre.std().size() == 1 ? 0 : c);
    }
    return new TtaAugmentation(channels, shape.get(1), shape.get(2), mean, std);
  }
}
