package io.attune.simulators.corruption;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Corruptions by name, for schedules: the built-ins of {@link Corruptions}, a few aliases
 * ({@code jpeg}, {@code elastic}, {@code rotation}, {@code translation}, {@code zoom}), and any
 * the caller adds with {@link #with}. Immutable; names are matched case-insensitively.
 */
public final class CorruptionRegistry {

  private static final CorruptionRegistry STANDARD = standardRegistry();

  private final Map<String, Corruption> byName;
  private final Map<String, String> aliases;

  private CorruptionRegistry(Map<String, Corruption> byName, Map<String, String> aliases) {
    this.byName = Collections.unmodifiableMap(byName);
    this.aliases = Collections.unmodifiableMap(aliases);
  }

  /** The built-in corruptions, {@code clean} included, and their aliases. */
  public static CorruptionRegistry standard() {
    return STANDARD;
  }

  /**
   * A registry that also knows {@code corruption}.
   *
   * @throws IllegalArgumentException if its name is taken or not lower-case letters, digits and
   *     underscores
   */
  public CorruptionRegistry with(Corruption corruption) {
    final String name = corruption.name();
    if (!name.matches("[a-z][a-z0-9_]*")) {
      throw new IllegalArgumentException("corruption name '" + name
          + "' must be lower-case letters, digits and underscores, starting with a letter");
    }
    if (byName.containsKey(name) || aliases.containsKey(name)) {
      throw new IllegalArgumentException("corruption name '" + name + "' is already taken");
    }
    final Map<String, Corruption> more = new LinkedHashMap<>(byName);
    more.put(name, corruption);
    return new CorruptionRegistry(more, aliases);
  }

  /** The corruption called {@code name} or one of its aliases, if any. */
  public Optional<Corruption> find(String name) {
    final String key = Objects.requireNonNull(name, "name").strip().toLowerCase(Locale.ROOT);
    return Optional.ofNullable(byName.get(aliases.getOrDefault(key, key)));
  }

  /**
   * The corruption called {@code name}.
   *
   * @throws IllegalArgumentException naming the unknown name and listing the valid ones
   */
  public Corruption require(String name) {
    return find(name).orElseThrow(() -> new IllegalArgumentException(
        "unknown corruption '" + name + "' (valid: " + String.join(", ", names()) + ")"));
  }

  /** Canonical names in registration order, {@code clean} first. */
  public List<String> names() {
    return List.copyOf(byName.keySet());
  }

  /** All corruptions in registration order. */
  public List<Corruption> all() {
    return List.copyOf(byName.values());
  }

  private static CorruptionRegistry standardRegistry() {
    final Map<String, Corruption> byName = new LinkedHashMap<>();
    byName.put(Corruptions.CLEAN.name(), Corruptions.CLEAN);
    for (Corruption shift : Corruptions.shifts()) {
      byName.put(shift.name(), shift);
    }
    final Map<String, String> aliases = new LinkedHashMap<>();
    aliases.put("jpeg", Corruptions.JPEG_COMPRESSION.name());
    aliases.put("elastic", Corruptions.ELASTIC_TRANSFORM.name());
    aliases.put("rotation", Corruptions.ROTATE.name());
    aliases.put("translation", Corruptions.TRANSLATE.name());
    aliases.put("zoom", Corruptions.SCALE.name());
    return new CorruptionRegistry(byName, aliases);
  }
}
