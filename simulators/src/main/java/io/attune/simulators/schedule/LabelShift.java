package io.attune.simulators.schedule;

/**
 * How the class order of a domain's samples departs from the source order (which, for a shuffled
 * test split, is i.i.d.): the non-i.i.d. test streams of LAME, NOTE and SAR.
 */
public sealed interface LabelShift {

  /** The source's own order. */
  LabelShift NONE = new None();

  /** The compact-syntax modifier, without the {@code +}; empty for {@link #NONE}. */
  String spec();

  /** Samples in source order. */
  record None() implements LabelShift {
    @Override
    public String spec() {
      return "";
    }
  }

  /** Samples sorted by class, stably: every class in one run, classes in ascending order. */
  record Sorted() implements LabelShift {
    @Override
    public String spec() {
      return "sorted";
    }
  }

  /**
   * Temporal class order drawn from a Dirichlet distribution, as NOTE (Gong et al., 2022) and
   * RoTTA (Yuan et al., 2023) do: the domain is cut into as many time slots as there are classes
   * (at most 100); each class spreads its samples over the slots in proportions drawn from
   * {@code Dirichlet(alpha, ..., alpha)}; within a slot the class runs come in random order.
   * Smaller {@code alpha} concentrates each class in fewer slots: 0.01 is nearly sorted, 0.1 is
   * the usual non-i.i.d. setting, 10 is close to i.i.d.
   *
   * @param alpha concentration, positive
   */
  record Dirichlet(double alpha) implements LabelShift {

    /** @throws IllegalArgumentException unless {@code alpha} is positive and finite */
    public Dirichlet {
      if (!(alpha > 0) || Double.isInfinite(alpha)) {
        throw new IllegalArgumentException("dirichlet alpha must be positive, got " + alpha);
      }
    }

    @Override
    public String spec() {
      return "dirichlet:" + Schedule.number(alpha);
    }
  }
}
