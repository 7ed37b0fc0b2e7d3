package io.attune.simulators.schedule;

import io.attune.simulators.corruption.Corruption;
import io.attune.simulators.corruption.CorruptionRegistry;
import io.attune.simulators.corruption.Family;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * The compact schedule syntax, {@code [KIND:]DOMAIN[,DOMAIN...][+MODIFIER...]}; see
 * {@link Schedule}. Every error quotes the spec and names the token at fault.
 */
final class CompactSyntax {

  static final String KINDS = Arrays.stream(Schedule.Kind.values()).map(Schedule.Kind::keyword)
      .collect(Collectors.joining(", "));

  static final String MODIFIERS =
      "+sorted, +dirichlet:ALPHA, +shuffle, +openset:SHARE, +samples:N";

  private final String spec;
  private final CorruptionRegistry registry;

  private CompactSyntax(String spec, CorruptionRegistry registry) {
    this.spec = spec;
    this.registry = registry;
  }

  static Schedule parse(String spec, CorruptionRegistry registry) {
    return new CompactSyntax(spec, registry).parse();
  }

  static String format(Schedule schedule) {
    final String domains = schedule.domains().stream()
        .map(domain -> schedule.kind() == Schedule.Kind.GRADUAL
            && domain.severity() == Corruption.MAX_SEVERITY
            ? domain.corruption().name() : domain.spec())
        .collect(Collectors.joining(","));
    final StringBuilder text = new StringBuilder(schedule.kind() == Schedule.Kind.SINGLE
        ? domains : schedule.kind().keyword() + ":" + domains);
    if (schedule.shuffle()) {
      text.append("+shuffle");
    }
    if (!schedule.labelShift().spec().isEmpty()) {
      text.append('+').append(schedule.labelShift().spec());
    }
    if (schedule.openSet() > 0) {
      text.append("+openset:").append(Schedule.number(schedule.openSet()));
    }
    schedule.samplesPerDomain().ifPresent(n -> text.append("+samples:").append(n));
    return text.toString();
  }

  private Schedule parse() {
    final String[] parts = spec.split("\\+", -1);
    final String body = parts[0].strip();
    if (body.isEmpty()) {
      throw error("no domain before the first '+' (e.g. gaussian_noise:5)");
    }
    final Optional<Schedule.Kind> kind = kindOf(body);
    if (kind.isPresent() && body.indexOf(':') < 0) {
      throw error(kind.get().keyword() + " needs domains after ':', e.g. "
          + kind.get().keyword() + ":gaussian_noise:5");
    }
    final String domainList = kind.isPresent() ? body.substring(body.indexOf(':') + 1) : body;
    final Schedule.Kind resolved = kind.orElse(Schedule.Kind.SINGLE);
    final List<Domain> domains = domains(domainList, resolved, kind.isPresent());
    Schedule schedule = build(() -> new Schedule(resolved, domains, LabelShift.NONE, false, 0,
        OptionalInt.empty()));
    final Set<String> seen = new HashSet<>();
    for (int i = 1; i < parts.length; i++) {
      schedule = modify(schedule, parts[i].strip(), seen);
    }
    return schedule;
  }

  private Optional<Schedule.Kind> kindOf(String body) {
    final int colon = body.indexOf(':');
    final String head = (colon < 0 ? body : body.substring(0, colon)).strip()
        .toLowerCase(Locale.ROOT);
    return Arrays.stream(Schedule.Kind.values()).filter(k -> k.keyword().equals(head))
        .findFirst();
  }

  private List<Domain> domains(String list, Schedule.Kind kind, boolean kindGiven) {
    final List<Domain> domains = new ArrayList<>();
    for (String token : list.split(",", -1)) {
      if (token.isBlank()) {
        throw error("empty domain in '" + list.strip() + "' (domains are NAME:SEVERITY, "
            + "separated by commas)");
      }
      domains.add(domain(token.strip(), kind, !kindGiven && domains.isEmpty()));
    }
    return domains;
  }

  /** @param mayBeKind whether an unknown name could also be a misspelt schedule kind */
  private Domain domain(String token, Schedule.Kind kind, boolean mayBeKind) {
    final String[] fields = token.split(":", -1);
    final Corruption corruption = corruption(fields[0].strip(), mayBeKind);
    if (fields.length > 2) {
      throw error("domain '" + token + "' has more than NAME:SEVERITY");
    }
    if (corruption.family() == Family.NONE) {
      if (fields.length == 2 && !fields[1].strip().equals("0")) {
        throw error("'" + token + "': " + corruption.name() + " takes no severity");
      }
      return Domain.of(corruption, 0);
    }
    if (fields.length == 1) {
      if (kind == Schedule.Kind.GRADUAL) {
        return new Domain(corruption, Corruption.MAX_SEVERITY);
      }
      throw error("'" + token + "' needs a severity, e.g. " + corruption.name() + ":5");
    }
    return new Domain(corruption, severity(token, fields[1].strip()));
  }

  private Corruption corruption(String name, boolean mayBeKind) {
    return registry.find(name).orElseThrow(() -> error(mayBeKind
        ? "unknown corruption or schedule kind '" + name + "' (kinds: " + KINDS
            + "; corruptions: " + String.join(", ", registry.names()) + ")"
        : "unknown corruption '" + name + "' (valid: " + String.join(", ", registry.names())
            + ")"));
  }

  private int severity(String token, String text) {
    try {
      final int severity = Integer.parseInt(text);
      if (severity >= 1 && severity <= Corruption.MAX_SEVERITY) {
        return severity;
      }
    } catch (NumberFormatException notANumber) {
      // reported below with the range, like an out-of-range number
    }
    throw error("severity '" + text + "' in '" + token + "' must be 1 to "
        + Corruption.MAX_SEVERITY);
  }

  private Schedule modify(Schedule schedule, String modifier, Set<String> seen) {
    final int colon = modifier.indexOf(':');
    final String name = (colon < 0 ? modifier : modifier.substring(0, colon)).strip()
        .toLowerCase(Locale.ROOT);
    final String value = colon < 0 ? null : modifier.substring(colon + 1).strip();
    if (!seen.add(name)) {
      throw error("modifier '+" + name + "' given twice");
    }
    if (seen.contains("sorted") && seen.contains("dirichlet")) {
      throw error("'+sorted' and '+dirichlet' both set the class order; choose one");
    }
    return switch (name) {
      case "sorted" -> applyModifier(() -> schedule.withLabelShift(new LabelShift.Sorted()),
          name, value, false);
      case "shuffle" -> applyModifier(() -> schedule.withShuffle(true), name, value, false);
      case "dirichlet" -> applyModifier(() -> schedule.withLabelShift(
          new LabelShift.Dirichlet(decimal(name, value))), name, value, true);
      case "openset" -> applyModifier(() -> schedule.withOpenSet(decimal(name, value)),
          name, value, true);
      case "samples" -> applyModifier(() -> schedule.withSamplesPerDomain(integer(name, value)),
          name, value, true);
      default -> throw error("unknown modifier '+" + modifier + "' (valid: " + MODIFIERS + ")");
    };
  }

  /** Checks that a modifier has a value exactly when it takes one, then applies it. */
  private Schedule applyModifier(Supplier<Schedule> make, String name, String value,
      boolean takesValue) {
    if (takesValue && (value == null || value.isEmpty())) {
      throw error("'+" + name + "' needs a value, e.g. " + example(name));
    }
    if (!takesValue && value != null) {
      throw error("'+" + name + "' takes no value, got '" + value + "'");
    }
    return build(make);
  }

  private Schedule build(Supplier<Schedule> make) {
    try {
      return make.get();
    } catch (ScheduleException e) {
      throw e;
    } catch (IllegalArgumentException e) {
      throw error(e.getMessage());
    }
  }

  private double decimal(String name, String value) {
    try {
      final double number = Double.parseDouble(value);
      if (Double.isFinite(number)) {
        return number;
      }
    } catch (NumberFormatException notANumber) {
      // reported below
    }
    throw error("'+" + name + ":" + value + "' needs a number, e.g. " + example(name));
  }

  private int integer(String name, String value) {
    try {
      return Integer.parseInt(value);
    } catch (NumberFormatException notANumber) {
      throw error("'+" + name + ":" + value + "' needs a whole number, e.g. " + example(name));
    }
  }

  private static String example(String modifier) {
    return switch (modifier) {
      case "dirichlet" -> "+dirichlet:0.1";
      case "openset" -> "+openset:0.1";
      default -> "+samples:1000";
    };
  }

  private ScheduleException error(String problem) {
    return new ScheduleException(spec, problem);
  }
}
