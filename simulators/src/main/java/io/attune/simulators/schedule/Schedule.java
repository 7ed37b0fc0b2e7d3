package io.attune.simulators.schedule;

import io.attune.simulators.corruption.Corruption;
import io.attune.simulators.corruption.CorruptionRegistry;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * What a test stream looks like over time: which corruptions at which severities, in which order,
 * with which class order and how much open-set noise. A small declarative value, written either
 * as a compact string or as JSON (see {@code docs/shifts.md}):
 *
 * <pre>
 * gaussian_noise:5                          one domain
 * continual:gaussian_noise:5,fog:5,jpeg:5   domains one after another, no reset (CoTTA, RMT)
 * gradual:gaussian_noise,fog                severity 1,2,3,4,5,4,3,2,1 per corruption (RMT)
 * mixed:gaussian_noise:5,fog:5              the domains' samples interleaved at random (SAR)
 * ...+sorted | +dirichlet:0.1               class-sorted or Dirichlet class order (LAME, NOTE)
 * ...+shuffle                               a seeded random order (and subset) of the source
 * ...+openset:0.1                           10% of the stream pure-noise images, label -1
 * ...+samples:1000                          samples per domain (default: the whole source)
 * </pre>
 *
 * {@link ShiftStream} turns a schedule, a source of labelled images and a seed into the stream.
 *
 * @param kind how the domains follow each other
 * @param domains the domains in order; for {@link Kind#GRADUAL}, severity is the ramp's peak
 * @param labelShift the class order within each domain (within the whole mix for mixed)
 * @param shuffle whether each domain draws its samples in a seeded random order rather than the
 *     source order
 * @param openSet share of the stream, in [0, 0.9], that is pure noise from outside the label space
 * @param samplesPerDomain in-distribution samples per stage; empty means the whole source once
 */
public record Schedule(Kind kind, List<Domain> domains, LabelShift labelShift, boolean shuffle,
    double openSet, OptionalInt samplesPerDomain) {

  /** The largest open-set share: beyond it, the stream is mostly noise. */
  public static final double MAX_OPEN_SET = 0.9;

  /** How the domains of a schedule follow each other. */
  public enum Kind {
    /** One domain. */
    SINGLE,
    /** Domains one after another, without reset. */
    CONTINUAL,
    /** Per corruption, severity ramps 1 up to its peak and back down to 1, a stage per step. */
    GRADUAL,
    /** All domains' samples interleaved in one seeded random order. */
    MIXED;

    /** The word of the compact syntax, e.g. {@code continual}. */
    public String keyword() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** @throws IllegalArgumentException naming the field that is out of range */
  public Schedule {
    Objects.requireNonNull(kind, "kind");
    domains = List.copyOf(domains);
    Objects.requireNonNull(labelShift, "labelShift");
    Objects.requireNonNull(samplesPerDomain, "samplesPerDomain");
    if (domains.isEmpty()) {
      throw new IllegalArgumentException(kind.keyword() + " needs at least one domain");
    }
    if (kind == Kind.SINGLE && domains.size() != 1) {
      throw new IllegalArgumentException("single takes one domain, got " + domains.size()
          + "; use continual: or mixed: for several");
    }
    if (kind == Kind.GRADUAL && domains.stream().anyMatch(Domain::clean)) {
      throw new IllegalArgumentException("gradual ramps severities; clean has none");
    }
    if (!(openSet >= 0 && openSet <= MAX_OPEN_SET)) {
      throw new IllegalArgumentException("openset share must be 0 to " + MAX_OPEN_SET + ", got "
          + openSet);
    }
    if (samplesPerDomain.isPresent() && samplesPerDomain.getAsInt() < 1) {
      throw new IllegalArgumentException("samples per domain must be at least 1, got "
          + samplesPerDomain.getAsInt());
    }
  }

  /** One domain, source order, no open set, the whole source. */
  public static Schedule single(Domain domain) {
    return new Schedule(Kind.SINGLE, List.of(domain), LabelShift.NONE, false, 0,
        OptionalInt.empty());
  }

  /** Domains one after another, source order, no open set, the whole source per domain. */
  public static Schedule continual(List<Domain> domains) {
    return new Schedule(Kind.CONTINUAL, domains, LabelShift.NONE, false, 0, OptionalInt.empty());
  }

  /**
   * Parses a compact spec or, if the text starts with <code>{</code>, JSON, against the built-in
   * corruptions.
   *
   * @throws ScheduleException with a one-line message naming the bad token or key
   */
  public static Schedule parse(String text) {
    return parse(text, CorruptionRegistry.standard());
  }

  /** Parses a compact spec or JSON, finding corruptions in {@code registry}. */
  public static Schedule parse(String text, CorruptionRegistry registry) {
    Objects.requireNonNull(text, "text");
    return text.strip().startsWith("{")
        ? JsonSyntax.parse(text, registry) : CompactSyntax.parse(text, registry);
  }

  /**
   * Reads a schedule file, compact or JSON.
   *
   * @throws ScheduleException naming the file, if its content is not a valid schedule
   */
  public static Schedule read(Path file) throws IOException {
    final String text = Files.readString(file);
    try {
      return parse(text);
    } catch (ScheduleException e) {
      throw new ScheduleException(file.toString(), e.problem(), e);
    }
  }

  /** This schedule in canonical compact syntax; {@link #parse} gives it back. */
  public String spec() {
    return CompactSyntax.format(this);
  }

  /** This schedule as pretty-printed JSON; {@link #parse} gives it back. */
  public String toJson() {
    return JsonSyntax.format(this);
  }

  /** A copy with {@code n} in-distribution samples per stage. */
  public Schedule withSamplesPerDomain(int n) {
    return new Schedule(kind, domains, labelShift, shuffle, openSet, OptionalInt.of(n));
  }

  /** A copy with another class order. */
  public Schedule withLabelShift(LabelShift shift) {
    return new Schedule(kind, domains, shift, shuffle, openSet, samplesPerDomain);
  }

  /** A copy that draws each domain's samples in a seeded random order, or in source order. */
  public Schedule withShuffle(boolean shuffled) {
    return new Schedule(kind, domains, labelShift, shuffled, openSet, samplesPerDomain);
  }

  /** A copy with another open-set share. */
  public Schedule withOpenSet(double share) {
    return new Schedule(kind, domains, labelShift, shuffle, share, samplesPerDomain);
  }

  /**
   * The stages in stream order: the domains themselves, or for {@link Kind#GRADUAL} each
   * corruption at severities 1, 2, ..., peak, ..., 2, 1.
   */
  public List<Stage> stages() {
    final List<Stage> stages = new ArrayList<>();
    for (Domain domain : domains) {
      if (kind != Kind.GRADUAL) {
        stages.add(new Stage(stages.size(), domain));
        continue;
      }
      final Corruption corruption = domain.corruption();
      for (int step = 1; step < 2 * domain.severity(); step++) {
        final int severity = step <= domain.severity() ? step : 2 * domain.severity() - step;
        stages.add(new Stage(stages.size(), new Domain(corruption, severity)));
      }
    }
    return List.copyOf(stages);
  }

  /** Shortest decimal text of a number: {@code 0.1}, {@code 2}, never {@code 0.1000000001}. */
  static String number(double value) {
    return BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
  }
}
