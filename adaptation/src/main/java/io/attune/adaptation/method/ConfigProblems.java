package io.attune.adaptation.method;

import java.util.ArrayList;
import java.util.List;

/**
 * Collects every problem of a hyperparameter record so that its compact constructor reports
 * them all at once, each naming the field and the value, instead of stopping at the first.
 */
public final class ConfigProblems {

  private final String owner;
  private final List<String> problems = new ArrayList<>();

  /** @param owner what is being configured, as the message should name it ({@code eata}) */
  public ConfigProblems(String owner) {
    this.owner = owner;
  }

  /** Records {@code message} unless {@code ok}. */
  public ConfigProblems require(boolean ok, String message) {
    if (!ok) {
      problems.add(message);
    }
    return this;
  }

  /**
   * Throws if anything was recorded.
   *
   * @throws IllegalArgumentException listing every problem, separated by "; "
   */
  public void throwIfAny() {
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(owner + ": " + String.join("; ", problems));
    }
  }
}
