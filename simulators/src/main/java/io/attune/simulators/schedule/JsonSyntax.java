package io.attune.simulators.schedule;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.attune.simulators.corruption.Corruption;
import io.attune.simulators.corruption.CorruptionRegistry;
import io.attune.simulators.corruption.Family;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.OptionalInt;

/**
 * The JSON schedule syntax:
 *
 * <pre>{@code
 * {"kind": "continual",
 *  "domains": [{"corruption": "gaussian_noise", "severity": 5}, {"corruption": "clean"}],
 *  "labelShift": {"kind": "dirichlet", "alpha": 0.1},
 *  "shuffle": false, "openSet": 0.1, "samplesPerDomain": 1000}
 * }</pre>
 *
 * Only {@code kind} and {@code domains} are required. Errors name the key path, e.g.
 * {@code domains[1].severity}.
 */
final class JsonSyntax {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> KEYS =
      List.of("kind", "domains", "labelShift", "shuffle", "openSet", "samplesPerDomain");
  private static final List<String> DOMAIN_KEYS = List.of("corruption", "severity");
  private static final List<String> SHIFT_KEYS = List.of("kind", "alpha");

  private final String text;
  private final CorruptionRegistry registry;

  private JsonSyntax(String text, CorruptionRegistry registry) {
    this.text = text;
    this.registry = registry;
  }

  static Schedule parse(String text, CorruptionRegistry registry) {
    return new JsonSyntax(text, registry).parse();
  }

  static String format(Schedule schedule) {
    try {
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(tree(schedule));
    } catch (JacksonException e) {
      throw new IllegalStateException("cannot write schedule " + schedule.spec() + " as JSON", e);
    }
  }

  static ObjectNode tree(Schedule schedule) {
    final ObjectNode root = JSON.createObjectNode();
    root.put("kind", schedule.kind().keyword());
    final ArrayNode domains = root.putArray("domains");
    for (Domain domain : schedule.domains()) {
      final ObjectNode node = domains.addObject().put("corruption", domain.corruption().name());
      if (!domain.clean()) {
        node.put("severity", domain.severity());
      }
    }
    if (schedule.labelShift() instanceof LabelShift.Sorted) {
      root.putObject("labelShift").put("kind", "sorted");
    } else if (schedule.labelShift() instanceof LabelShift.Dirichlet dirichlet) {
      root.putObject("labelShift").put("kind", "dirichlet").put("alpha", dirichlet.alpha());
    }
    root.put("shuffle", schedule.shuffle());
    root.put("openSet", schedule.openSet());
    schedule.samplesPerDomain().ifPresent(n -> root.put("samplesPerDomain", n));
    return root;
  }

  private Schedule parse() {
    final JsonNode root = readTree();
    requireKnownKeys(root, "", KEYS);
    final Schedule.Kind kind = kind(required(root, "kind", "kind"));
    final List<Domain> domains = domains(required(root, "domains", "domains"), kind);
    final LabelShift shift = labelShift(root.get("labelShift"));
    final boolean shuffle = root.has("shuffle") && bool(root.get("shuffle"), "shuffle");
    final double openSet = root.has("openSet") ? number(root.get("openSet"), "openSet") : 0;
    final OptionalInt samples = root.has("samplesPerDomain")
        ? OptionalInt.of(integer(root.get("samplesPerDomain"), "samplesPerDomain"))
        : OptionalInt.empty();
    try {
      return new Schedule(kind, domains, shift, shuffle, openSet, samples);
    } catch (IllegalArgumentException e) {
      throw error(e.getMessage());
    }
  }

  private JsonNode readTree() {
    final JsonNode root;
    try {
      root = JSON.readTree(text);
    } catch (JacksonException e) {
      final JsonLocation at = e.getLocation();
      throw new ScheduleException(text, "not valid JSON: " + e.getOriginalMessage()
          + (at == null ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")"),
          e);
    }
    if (root == null || !root.isObject()) {
      throw error("a JSON schedule is an object with the keys " + String.join(", ", KEYS));
    }
    return root;
  }

  private Schedule.Kind kind(JsonNode node) {
    final String keyword = text(node, "kind").toLowerCase(Locale.ROOT);
    for (Schedule.Kind kind : Schedule.Kind.values()) {
      if (kind.keyword().equals(keyword)) {
        return kind;
      }
    }
    throw error("kind '" + node.asText() + "' is not one of " + CompactSyntax.KINDS);
  }

  private List<Domain> domains(JsonNode node, Schedule.Kind kind) {
    if (!node.isArray()) {
      throw error("domains must be an array of {\"corruption\": NAME, \"severity\": 1-5}");
    }
    final List<Domain> domains = new ArrayList<>();
    for (int i = 0; i < node.size(); i++) {
      domains.add(domain(node.get(i), "domains[" + i + "]", kind));
    }
    return domains;
  }

  private Domain domain(JsonNode node, String path, Schedule.Kind kind) {
    if (!node.isObject()) {
      throw error(path + " must be an object {\"corruption\": NAME, \"severity\": 1-5}");
    }
    requireKnownKeys(node, path + ".", DOMAIN_KEYS);
    final String name = text(required(node, "corruption", path + ".corruption"),
        path + ".corruption");
    final Corruption corruption = registry.find(name).orElseThrow(() -> error(path
        + ".corruption: unknown corruption '" + name + "' (valid: "
        + String.join(", ", registry.names()) + ")"));
    if (corruption.family() == Family.NONE) {
      if (node.has("severity") && integer(node.get("severity"), path + ".severity") != 0) {
        throw error(path + ".severity: " + corruption.name() + " takes no severity");
      }
      return Domain.of(corruption, 0);
    }
    if (!node.has("severity") && kind == Schedule.Kind.GRADUAL) {
      return new Domain(corruption, Corruption.MAX_SEVERITY);
    }
    final int severity = integer(required(node, "severity", path + ".severity"),
        path + ".severity");
    if (severity < 1 || severity > Corruption.MAX_SEVERITY) {
      throw error(path + ".severity must be 1 to " + Corruption.MAX_SEVERITY + ", got "
          + severity);
    }
    return new Domain(corruption, severity);
  }

  private LabelShift labelShift(JsonNode node) {
    if (node == null || node.isNull()) {
      return LabelShift.NONE;
    }
    if (!node.isObject()) {
      throw error("labelShift must be an object {\"kind\": \"sorted\"} or "
          + "{\"kind\": \"dirichlet\", \"alpha\": 0.1}");
    }
    requireKnownKeys(node, "labelShift.", SHIFT_KEYS);
    final String kind = text(required(node, "kind", "labelShift.kind"), "labelShift.kind");
    try {
      return switch (kind.toLowerCase(Locale.ROOT)) {
        case "none" -> LabelShift.NONE;
        case "sorted" -> new LabelShift.Sorted();
        case "dirichlet" -> new LabelShift.Dirichlet(
            number(required(node, "alpha", "labelShift.alpha"), "labelShift.alpha"));
        default -> throw error("labelShift.kind '" + kind
            + "' is not one of none, sorted, dirichlet");
      };
    } catch (ScheduleException e) {
      throw e;
    } catch (IllegalArgumentException e) {
      throw error("labelShift.alpha: " + e.getMessage());
    }
  }

  private void requireKnownKeys(JsonNode node, String prefix, List<String> known) {
    for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
      final String name = names.next();
      if (!known.contains(name)) {
        throw error("unknown key '" + prefix + name + "' (valid: " + String.join(", ", known)
            + ")");
      }
    }
  }

  private JsonNode required(JsonNode node, String key, String path) {
    final JsonNode value = node.get(key);
    if (value == null || value.isNull()) {
      throw error(path + " is missing");
    }
    return value;
  }

  private String text(JsonNode node, String path) {
    if (!node.isTextual()) {
      throw error(path + " must be a string, got " + node);
    }
    return node.asText();
  }

  private boolean bool(JsonNode node, String path) {
    if (!node.isBoolean()) {
      throw error(path + " must be true or false, got " + node);
    }
    return node.asBoolean();
  }

  private double number(JsonNode node, String path) {
    if (!node.isNumber()) {
      throw error(path + " must be a number, got " + node);
    }
    return node.asDouble();
  }

  private int integer(JsonNode node, String path) {
    if (!node.isIntegralNumber() || !node.canConvertToInt()) {
      throw error(path + " must be a whole number, got " + node);
    }
    return node.asInt();
  }

  private ScheduleException error(String problem) {
    return new ScheduleException(text, problem);
  }
}
