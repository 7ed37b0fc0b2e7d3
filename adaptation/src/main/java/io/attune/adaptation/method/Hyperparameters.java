package io.attune.adaptation.method;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Overrides of a method's typed hyperparameters by name, as a catalog file or a command line
 * gives them ({@code optimizer.lr=0.0005}, {@code entropyMargin=0.9}, {@code guard.window=5}).
 *
 * <p>A method's hyperparameters are a record with defaults (e.g. {@link Tent.Config#defaults()});
 * {@link #apply} rebuilds that record with the overridden components, so the record's own
 * compact constructor validates the result and no method needs code of its own to be
 * configurable. Names are the record's component names; a nested record (an optimizer) is
 * addressed with a dot; a method composed of several parts (a guard around TENT) names the
 * outer part's components with its prefix ({@code guard.}). Values are parsed by the component's
 * type: {@code float}, {@code double}, {@code int}, {@code long}, {@code boolean},
 * {@code String}, or a comma-separated list of strings.
 *
 * <p>Every name given must be used: {@link #requireAllUsed} names the ones no part took, with
 * the names it could have been, so a typo never silently runs the defaults.
 */
public final class Hyperparameters {

  private final Map<String, String> values;
  private final TreeSet<String> used = new TreeSet<>();
  private final TreeSet<String> known = new TreeSet<>();

  private Hyperparameters(Map<String, String> values) {
    this.values = Collections.unmodifiableMap(new TreeMap<>(values));
  }

  /**
   * No overrides: every method runs its defaults. An instance records which names a method
   * took, so each method built gets an instance of its own.
   */
  public static Hyperparameters none() {
    return new Hyperparameters(Map.of());
  }

  /**
   * Overrides by name.
   *
   * @throws IllegalArgumentException for a blank name or a null value
   */
  public static Hyperparameters of(Map<String, String> values) {
    for (Map.Entry<String, String> e : values.entrySet()) {
      if (e.getKey() == null || e.getKey().isBlank() || e.getValue() == null) {
        throw new IllegalArgumentException("hyperparameter '" + e.getKey() + "' needs a name "
            + "and a value");
      }
    }
    return values.isEmpty() ? none() : new Hyperparameters(values);
  }

  /** The overrides as given, by name. */
  public Map<String, String> values() {
    return values;
  }

  public boolean isEmpty() {
    return values.isEmpty();
  }

  /** {@link #apply(String, Record)} without a prefix: the method's own hyperparameters. */
  public <R extends Record> R apply(R defaults) {
    return apply("", defaults);
  }

  /**
   * {@code defaults} with every override whose name starts with {@code prefix} (then a dot)
   * applied.
   *
   * @throws IllegalArgumentException when a value does not parse or the record rejects it
   */
  public <R extends Record> R apply(String prefix, R defaults) {
    String base = prefix.isEmpty() ? "" : prefix + ".";
    return rebuild(base, defaults);
  }

  /**
   * Fails when a given name was taken by no {@link #apply}.
   *
   * @param method the method's name, for the message
   * @throws IllegalArgumentException naming the unknown overrides and the known names
   */
  public void requireAllUsed(String method) {
    List<String> unknown = values.keySet().stream().filter(k -> !used.contains(k)).toList();
    if (!unknown.isEmpty()) {
      throw new IllegalArgumentException("unknown hyperparameter"
          + (unknown.size() > 1 ? "s " : " ") + String.join(", ", unknown) + " for method " + method + "; "
          + (known.isEmpty() ? "it has none" : "it has: " + String.join(", ", known)));
    }
  }

  /** The names {@code defaults} accepts under {@code prefix}, with their default values. */
  public static Map<String, String> describe(String prefix, Record defaults) {
    Map<String, String> out = new LinkedHashMap<>();
    describe(prefix.isEmpty() ? "" : prefix + ".", defaults, out);
    return out;
  }

  private static void describe(String base, Record r, Map<String, String> out) {
    for (RecordComponent c : r.getClass().getRecordComponents()) {
      Object value = read(c, r);
      if (value instanceof Record nested) {
        describe(base + c.getName() + ".", nested, out);
      } else if (value instanceof List<?> list) {
        out.put(base + c.getName(), String.join(",", list.stream().map(String::valueOf).toList()));
      } else {
        out.put(base + c.getName(), String.valueOf(value));
      }
    }
  }

  @SuppressWarnings("unchecked")
  private <R extends Record> R rebuild(String base, R current) {
    RecordComponent[] components = current.getClass().getRecordComponents();
    Object[] args = new Object[components.length];
    boolean changed = false;
    for (int i = 0; i < components.length; i++) {
      RecordComponent c = components[i];
      String name = base + c.getName();
      Object value = read(c, current);
      if (value instanceof Record nested) {
        Object rebuilt = rebuild(name + ".", nested);
        changed |= rebuilt != nested;
        args[i] = rebuilt;
        continue;
      }
      known.add(name);
      String given = values.get(name);
      if (given == null) {
        args[i] = value;
      } else {
        used.add(name);
        args[i] = parse(name, given.trim(), c.getType());
        changed = true;
      }
    }
    if (!changed) {
      return current;
    }
    Class<?>[] types = Arrays.stream(components).map(RecordComponent::getType)
        .toArray(Class<?>[]::new);
    try {
      var constructor = current.getClass().getDeclaredConstructor(types);
      constructor.setAccessible(true);
      return (R) constructor.newInstance(args);
    } catch (InvocationTargetException e) {
      Throwable cause = e.getCause();
      if (cause instanceof IllegalArgumentException iae) {
        throw iae;
      }
      throw new IllegalArgumentException(base + ": " + cause.getMessage(), cause);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot rebuild " + current.getClass().getName(), e);
    }
  }

  private static Object read(RecordComponent c, Record r) {
    try {
      var accessor = c.getAccessor();
      accessor.setAccessible(true);
      return accessor.invoke(r);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot read " + c.getName(), e);
    }
  }

  private static Object parse(String name, String text, Class<?> type) {
    try {
      if (type == float.class || type == Float.class) {
        return finite(name, Float.parseFloat(text));
      } else if (type == double.class || type == Double.class) {
        double v = Double.parseDouble(text);
        if (!Double.isFinite(v)) {
          throw new IllegalArgumentException("hyperparameter " + name + " must be finite, got "
              + v);
        }
        return v;
      } else if (type == int.class || type == Integer.class) {
        return Integer.parseInt(text);
      } else if (type == long.class || type == Long.class) {
        return Long.parseLong(text);
      } else if (type == boolean.class || type == Boolean.class) {
        if (!text.equalsIgnoreCase("true") && !text.equalsIgnoreCase("false")) {
          throw new IllegalArgumentException("hyperparameter " + name + ": '" + text
              + "' is not true or false");
        }
        return Boolean.parseBoolean(text);
      } else if (type == String.class) {
        return text;
      } else if (type.isEnum()) {
        for (Object constant : type.getEnumConstants()) {
          if (((Enum<?>) constant).name().equalsIgnoreCase(text)) {
            return constant;
          }
        }
        throw new IllegalArgumentException("hyperparameter " + name + ": '" + text
            + "' is not one of " + java.util.Arrays.toString(type.getEnumConstants()));
      } else if (type == List.class) {
        List<String> items = new ArrayList<>();
        for (String s : text.split(",")) {
          if (!s.isBlank()) {
            items.add(s.trim());
          }
        }
        return List.copyOf(items);
      }
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("hyperparameter " + name + ": '" + text
          + "' is not a " + type.getSimpleName() + " number");
    }
    throw new IllegalArgumentException("hyperparameter " + name + " (" + type.getSimpleName()
        + ") cannot be set by name");
  }

  private static float finite(String name, float v) {
    if (!Float.isFinite(v)) {
      throw new IllegalArgumentException("hyperparameter " + name + " must be finite, got " + v);
    }
    return v;
  }
}
