package io.attune.schemas;

import java.util.Objects;

/**
 * The key of every per-cohort topic: a model id and a cohort, written {@code model/cohort} in
 * UTF-8. Traffic is partitioned by it, so all records of one cohort share a partition and stay in
 * order. Neither part may be empty or contain {@code '/'}, so the text splits back unambiguously.
 *
 * @param model model id, as in the worker's catalog
 * @param cohort the cohort (site, camera, device group)
 */
public record CohortKey(String model, String cohort) {

  /** The character between model and cohort. */
  public static final char SEPARATOR = '/';

  /** @throws IllegalArgumentException naming the part that is null, empty or contains '/' */
  public CohortKey {
    requirePart("model", model);
    requirePart("cohort", cohort);
  }

  /**
   * Parses {@code model/cohort}.
   *
   * @throws IllegalArgumentException quoting the text if it has no '/', more than one, or an
   *     empty part
   */
  public static CohortKey parse(String text) {
    Objects.requireNonNull(text, "text");
    final int slash = text.indexOf(SEPARATOR);
    if (slash < 0) {
      throw new IllegalArgumentException("key '" + text + "' is not model/cohort: it has no '/'");
    }
    if (text.indexOf(SEPARATOR, slash + 1) >= 0) {
      throw new IllegalArgumentException("key '" + text
          + "' is not model/cohort: it has more than one '/'");
    }
    try {
      return new CohortKey(text.substring(0, slash), text.substring(slash + 1));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("key '" + text + "' is not model/cohort: "
          + e.getMessage(), e);
    }
  }

  /** The key of a sample's cohort. */
  public static CohortKey of(InferenceSample sample) {
    return new CohortKey(sample.getModel(), sample.getCohort());
  }

  /** {@code model/cohort}, which {@link #parse} reads back. */
  public String format() {
    return model + SEPARATOR + cohort;
  }

  /** Same as {@link #format()}. */
  @Override
  public String toString() {
    return format();
  }

  private static void requirePart(String name, String value) {
    if (value == null) {
      throw new IllegalArgumentException(name + " is null");
    }
    if (value.isEmpty()) {
      throw new IllegalArgumentException(name + " is empty");
    }
    if (value.indexOf(SEPARATOR) >= 0) {
      throw new IllegalArgumentException(name + " '" + value + "' contains '" + SEPARATOR + "'");
    }
  }
}
