package io.attune.topology;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Which models a worker adapts, and how: model ids to bundles, the method, the batching, and
 * per-cohort overrides. Read from a JSON file:
 *
 * <pre>{@code
 * {
 *   "models": {
 *     "fmnist-resnet": {
 *       "bundle": "bundles/fmnist-resnet",     // relative to this file
 *       "method": "tent",
 *       "batchSize": 64,
 *       "maxLatencyMs": 10000,
 *       "hyperparameters": { "optimizer.lr": 0.0005 },
 *       "cohorts": { "night-shift": { "method": "norm", "batchSize": 32 } }
 *     }
 *   }
 * }
 * }</pre>
 *
 * <p>{@code hyperparameters} override the method's defaults by name (see
 * {@code io.attune.adaptation.method.Hyperparameters}); a cohort that names the same method
 * adds its own on top of the model's, one that names another method starts from that method's
 * defaults.
 *
 * @param models entries by model id
 */
public record ModelCatalog(Map<String, Model> models) {

  /** What model ids and cohort names may contain: they form record keys {@code model/cohort}. */
  public static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,128}");

  private static final ObjectMapper JSON = new ObjectMapper()
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

  public ModelCatalog {
    models = Map.copyOf(models);
  }

  /**
   * How one cohort is adapted.
   *
   * @param method method name ({@code io.attune.adaptation.method.Methods#NAMES})
   * @param batchSize samples per adaptation step
   * @param maxLatencyMs stream time after which a partial batch is adapted anyway
   * @param hyperparameters overrides of the method's defaults by name; empty for the defaults
   */
  public record Adaptation(String method, int batchSize, long maxLatencyMs,
      Map<String, String> hyperparameters) {

    public Adaptation {
      hyperparameters = Collections.unmodifiableMap(new TreeMap<>(hyperparameters));
    }

    /** The method with its default hyperparameters. */
    public Adaptation(String method, int batchSize, long maxLatencyMs) {
      this(method, batchSize, maxLatencyMs, Map.of());
    }
  }

  /**
   * @param id model id, the {@code model} field of the traffic
   * @param bundle bundle directory (absolute once loaded)
   * @param defaults adaptation of every cohort without an override
   * @param cohorts per-cohort overrides
   */
  public record Model(String id, Path bundle, Adaptation defaults,
      Map<String, Adaptation> cohorts) {

    public Model {
      cohorts = Map.copyOf(cohorts);
    }

    /** The adaptation of a cohort: its override, or the model's defaults. */
    public Adaptation adaptationOf(String cohort) {
      return cohorts.getOrDefault(cohort, defaults);
    }
  }

  public Optional<Model> model(String id) {
    return Optional.ofNullable(models.get(id));
  }

  /** One model, default batching, for a single bundle (the demo, {@code --bundle}). */
  public static ModelCatalog single(String id, Path bundle, String method, int batchSize,
      long maxLatencyMs) {
    return single(id, bundle, new Adaptation(method, batchSize, maxLatencyMs));
  }

  /** One model adapted as {@code adaptation} says, for a single bundle. */
  public static ModelCatalog single(String id, Path bundle, Adaptation adaptation) {
    List<String> problems = new ArrayList<>();
    check(problems, "model '" + id + "'", adaptation, List.of(adaptation.method()));
    if (!NAME.matcher(id).matches()) {
      problems.add("model id '" + id + "' must match " + NAME.pattern());
    }
    if (!problems.isEmpty()) {
      throw new CatalogException("bad model: " + String.join("; ", problems));
    }
    return new ModelCatalog(Map.of(id, new Model(id, bundle.toAbsolutePath(), adaptation,
        Map.of())));
  }

  /**
   * Reads and validates a catalog file, reporting every problem at once.
   *
   * @param knownMethods method names the worker can run
   * @throws CatalogException naming the file and each problem
   */
  public static ModelCatalog load(Path file, List<String> knownMethods) {
    FileForm form;
    try {
      form = JSON.readValue(Files.readString(file), FileForm.class);
    } catch (NoSuchFileException e) {
      throw new CatalogException(file + ": no such catalog file");
    } catch (JacksonException e) {
      throw new CatalogException(file + ": not a valid catalog: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new CatalogException(file + ": cannot read: " + e.getMessage());
    }
    List<String> problems = new ArrayList<>();
    if (form == null || form.models == null || form.models.isEmpty()) {
      throw new CatalogException(file + ": no models (expected {\"models\": {\"id\": {...}}})");
    }
    Path base = file.toAbsolutePath().getParent();
    Map<String, Model> models = new LinkedHashMap<>();
    form.models.forEach((id, m) -> {
      Model model = toModel(base, id, m, knownMethods, problems);
      if (model != null) {
        models.put(id, model);
      }
    });
    if (!problems.isEmpty()) {
      throw new CatalogException(file + ": " + problems.size() + " problem(s): "
          + String.join("; ", problems));
    }
    return new ModelCatalog(models);
  }

  private static Model toModel(Path base, String id, ModelForm m, List<String> knownMethods,
      List<String> problems) {
    String where = "model '" + id + "'";
    if (!NAME.matcher(id).matches()) {
      problems.add(where + ": id must match " + NAME.pattern());
    }
    if (m == null || m.bundle == null || m.method == null) {
      problems.add(where + ": needs \"bundle\" and \"method\"");
      return null;
    }
    Path bundle = base.resolve(m.bundle).normalize();
    if (!Files.isDirectory(bundle)) {
      problems.add(where + ": bundle " + bundle + " is not a directory");
    }
    Adaptation defaults = new Adaptation(m.method, or(m.batchSize, 64), or(m.maxLatencyMs,
        10_000L), hyperparameters(where, m.hyperparameters, problems));
    check(problems, where, defaults, knownMethods);
    Map<String, Adaptation> cohorts = new LinkedHashMap<>();
    if (m.cohorts != null) {
      m.cohorts.forEach((cohort, o) -> {
        String at = where + ", cohort '" + cohort + "'";
        if (!NAME.matcher(cohort).matches()) {
          problems.add(at + ": name must match " + NAME.pattern());
        }
        Adaptation a = o == null ? defaults : override(at, defaults, o, problems);
        check(problems, at, a, knownMethods);
        cohorts.put(cohort, a);
      });
    }
    return new Model(id, bundle, defaults, cohorts);
  }

  private static Adaptation override(String where, Adaptation defaults, CohortForm o,
      List<String> problems) {
    String method = o.method == null ? defaults.method() : o.method;
    Map<String, String> hyperparameters = new TreeMap<>();
    if (method.equals(defaults.method())) {
      hyperparameters.putAll(defaults.hyperparameters());
    }
    hyperparameters.putAll(hyperparameters(where, o.hyperparameters, problems));
    return new Adaptation(method, or(o.batchSize, defaults.batchSize()),
        or(o.maxLatencyMs, defaults.maxLatencyMs()), hyperparameters);
  }

  /** JSON scalars as text; a list of scalars as comma-separated text. */
  private static Map<String, String> hyperparameters(String where, Map<String, JsonNode> given,
      List<String> problems) {
    Map<String, String> out = new TreeMap<>();
    if (given == null) {
      return out;
    }
    given.forEach((name, value) -> {
      if (value != null && value.isValueNode() && !value.isNull()) {
        out.put(name, value.asText());
      } else if (value != null && value.isArray()) {
        List<String> items = new ArrayList<>();
        value.forEach(v -> items.add(v.asText()));
        out.put(name, String.join(",", items));
      } else {
        problems.add(where + ": hyperparameter '" + name + "' must be a number, a boolean, a "
            + "string or a list of them");
      }
    });
    return out;
  }

  private static void check(List<String> problems, String where, Adaptation a,
      List<String> knownMethods) {
    if (!knownMethods.contains(a.method())) {
      problems.add(where + ": unknown method '" + a.method() + "' (known: "
          + String.join(", ", knownMethods) + ")");
    }
    if (a.batchSize() < 1 || a.batchSize() > 4096) {
      problems.add(where + ": batchSize must be in [1, 4096], got " + a.batchSize());
    }
    if (a.maxLatencyMs() < 1) {
      problems.add(where + ": maxLatencyMs must be >= 1, got " + a.maxLatencyMs());
    }
  }

  private static <T> T or(T value, T fallback) {
    return value == null ? fallback : value;
  }

  /** The JSON shape; nulls are absent keys. */
  private static final class FileForm {
    public Map<String, ModelForm> models;
  }

  private static final class ModelForm {
    public String bundle;
    public String method;
    public Integer batchSize;
    public Long maxLatencyMs;
    public Map<String, JsonNode> hyperparameters;
    public Map<String, CohortForm> cohorts;
  }

  private static final class CohortForm {
    public String method;
    public Integer batchSize;
    public Long maxLatencyMs;
    public Map<String, JsonNode> hyperparameters;
  }

  /** A catalog that cannot be used; the message names the file and every problem. */
  public static final class CatalogException extends RuntimeException {
    public CatalogException(String message) {
      super(message);
    }
  }
}
