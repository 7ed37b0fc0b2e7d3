package io.attune.adaptation.eval;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.IntFunction;

/**
 * The record of one {@link StreamEvaluation} run, for people (Markdown) and for programs (JSON).
 *
 * <p>The JSON is a stable interface: its top-level {@code format} is {@value #FORMAT}, fields
 * are only ever added under that name, and a change of meaning gets a new format. Errors are
 * fractions in [0, 1] of the labelled samples (open-set samples carry no label and are not
 * scored); speeds are samples per second of the method's steps alone, the source model's
 * predictions beside them not counted.
 *
 * @param method the method's name as given on the command line
 * @param model the model's name (from the bundle's manifest)
 * @param bundle where the bundle was read from
 * @param batch the largest batch; batches end early where a domain ends when resetting per domain
 * @param reset when the method started again from the source
 * @param stream what was streamed: a schedule and seed, or the files read
 * @param domains per domain, in order of first appearance
 * @param samples samples streamed, open-set ones included
 * @param error the method's error over every labelled sample
 * @param sourceError the source model's error on the same samples
 * @param shareUsed share of the samples the method adapted on
 * @param samplesPerSecond samples per second of the method's steps
 */
public record RunReport(String method, String model, String bundle, int batch,
    StreamEvaluation.Reset reset, String stream, List<DomainReport> domains, long samples,
    double error, double sourceError, double shareUsed, double samplesPerSecond) {

  /** Name and version of the JSON layout. */
  public static final String FORMAT = "attune-evaluate-report/1";

  private static final ObjectMapper JSON = new ObjectMapper()
      .enable(SerializationFeature.INDENT_OUTPUT);

  /**
   * One domain's scores.
   *
   * @param index the domain index of the stream
   * @param name the domain's name ({@code fog:5}), or its index when the stream names none
   * @param labelled labelled samples scored
   * @param samplesUsed samples the method adapted on
   */
  public record DomainReport(int index, String name, long labelled, double error,
      double sourceError, long samplesUsed) {}

  /** The file layouts a report can be written in, chosen by the file's extension. */
  public enum Format {
    MARKDOWN, JSON;

    /**
     * {@code .md} or {@code .json}.
     *
     * @throws IllegalArgumentException naming the file when it has neither extension
     */
    public static Format of(Path file) {
      String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
      if (name.endsWith(".md")) {
        return MARKDOWN;
      }
      if (name.endsWith(".json")) {
        return JSON;
      }
      throw new IllegalArgumentException("report " + file + ": the name must end in .md "
          + "(Markdown) or .json (JSON)");
    }
  }

  public RunReport {
    Objects.requireNonNull(method, "method");
    Objects.requireNonNull(reset, "reset");
    domains = List.copyOf(domains);
  }

  /**
   * The report of {@code result}.
   *
   * @param domainName the name of a domain index
   */
  public static RunReport of(StreamEvaluation.Result result, String method, String model,
      String bundle, int batch, StreamEvaluation.Reset reset, String stream,
      IntFunction<String> domainName) {
    List<DomainReport> domains = new ArrayList<>();
    for (StreamEvaluation.DomainScore d : result.domains()) {
      domains.add(new DomainReport(d.domain(), domainName.apply(d.domain()),
          d.adapted().total(), errorOf(d.adapted()), errorOf(d.source()), d.samplesUsed()));
    }
    return new RunReport(method, model, bundle, batch, reset, stream, domains,
        result.samples(), result.error(), result.sourceError(), result.shareUsed(),
        result.samplesPerSecond());
  }

  /**
   * The unweighted mean of the domains' errors, as corruption benchmarks average over
   * corruptions; NaN without domains.
   */
  public double meanDomainError() {
    return domains.stream().mapToDouble(DomainReport::error).average().orElse(Double.NaN);
  }

  /** The unweighted mean of the source's errors per domain; NaN without domains. */
  public double meanDomainSourceError() {
    return domains.stream().mapToDouble(DomainReport::sourceError).average()
        .orElse(Double.NaN);
  }

  /**
   * The last domain of the stream: where a continual run ends.
   *
   * @throws java.util.NoSuchElementException without domains
   */
  public DomainReport lastDomain() {
    if (domains.isEmpty()) {
      throw new java.util.NoSuchElementException("the run has no domain");
    }
    return domains.get(domains.size() - 1);
  }

  /** Error of a confusion matrix; 0 when it holds no sample. */
  static double errorOf(ConfusionMatrix m) {
    return m.total() == 0 ? 0 : 1 - m.accuracy();
  }

  /** The reset policy as the command line spells it. */
  public static String resetName(StreamEvaluation.Reset reset) {
    return reset == StreamEvaluation.Reset.PER_DOMAIN ? "per-domain" : "never";
  }

  /** The JSON record, fields in a fixed order. */
  public String toJson() {
    try {
      return JSON.writeValueAsString(toMap()) + "\n";
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException("cannot write the report as JSON", e);
    }
  }

  /**
   * Reads a report back from its JSON record.
   *
   * @throws IllegalArgumentException when the text is not a {@value #FORMAT} record
   */
  public static RunReport fromJson(JsonNode root) {
    if (root == null || !FORMAT.equals(root.path("format").asText())) {
      throw new IllegalArgumentException("not an " + FORMAT + " record");
    }
    List<DomainReport> domains = new ArrayList<>();
    for (JsonNode d : root.path("domains")) {
      domains.add(new DomainReport(d.path("index").asInt(), d.path("name").asText(),
          d.path("labelled").asLong(), d.path("error").asDouble(),
          d.path("sourceError").asDouble(), d.path("samplesUsed").asLong()));
    }
    String reset = root.path("reset").asText();
    if (!reset.equals("per-domain") && !reset.equals("never")) {
      throw new IllegalArgumentException("reset '" + reset + "' is neither per-domain nor never");
    }
    return new RunReport(root.path("method").asText(), root.path("model").asText(),
        root.path("bundle").asText(), root.path("batch").asInt(),
        reset.equals("never") ? StreamEvaluation.Reset.NEVER
            : StreamEvaluation.Reset.PER_DOMAIN, root.path("stream").asText(), domains,
        root.path("samples").asLong(), root.path("error").asDouble(),
        root.path("sourceError").asDouble(), root.path("shareUsed").asDouble(),
        root.path("samplesPerSecond").asDouble());
  }

  /** The JSON record as a map, fields in a fixed order, to embed in a larger document. */
  public Map<String, Object> toMap() {
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("format", FORMAT);
    root.put("method", method);
    root.put("model", model);
    root.put("bundle", bundle);
    root.put("batch", batch);
    root.put("reset", resetName(reset));
    root.put("stream", stream);
    root.put("samples", samples);
    root.put("error", error);
    root.put("sourceError", sourceError);
    root.put("shareUsed", shareUsed);
    root.put("samplesPerSecond", samplesPerSecond);
    List<Map<String, Object>> perDomain = new ArrayList<>();
    for (DomainReport d : domains) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("index", d.index());
      m.put("name", d.name());
      m.put("labelled", d.labelled());
      m.put("error", d.error());
      m.put("sourceError", d.sourceError());
      m.put("samplesUsed", d.samplesUsed());
      perDomain.add(m);
    }
    root.put("domains", perDomain);
    return root;
  }

  /** A Markdown page: what ran, then a table of error per domain beside the source's. */
  public String toMarkdown() {
    StringBuilder md = new StringBuilder();
    md.append(String.format(Locale.ROOT, "# `%s` on %s%n%n", method, model));
    md.append(String.format(Locale.ROOT, "- bundle: `%s`%n- stream: %s%n", bundle, stream));
    md.append(String.format(Locale.ROOT, "- batch %d, reset %s, %d samples%n", batch,
        resetName(reset), samples));
    md.append(String.format(Locale.ROOT, "- speed: %.0f samples/s (the method's steps alone)%n",
        samplesPerSecond));
    md.append(String.format(Locale.ROOT, "- samples adapted on: %.1f%%%n%n", 100 * shareUsed));
    md.append("| domain | labelled | source error | ").append(method)
        .append(" error | used |\n|---|---:|---:|---:|---:|\n");
    for (DomainReport d : domains) {
      md.append(String.format(Locale.ROOT, "| %s | %d | %.2f%% | %.2f%% | %d |%n", d.name(),
          d.labelled(), 100 * d.sourceError(), 100 * d.error(), d.samplesUsed()));
    }
    md.append(String.format(Locale.ROOT, "| **all** | %d | %.2f%% | %.2f%% | %.1f%% |%n",
        domains.stream().mapToLong(DomainReport::labelled).sum(), 100 * sourceError,
        100 * error, 100 * shareUsed));
    return md.toString();
  }

  /**
   * Writes the report as Markdown or JSON, by the file's extension, replacing the file only once
   * the new one is complete.
   *
   * @throws IllegalArgumentException if the extension is neither {@code .md} nor {@code .json}
   */
  public void write(Path file) throws IOException {
    String text = Format.of(file) == Format.JSON ? toJson() : toMarkdown();
    Path absolute = file.toAbsolutePath();
    Files.createDirectories(absolute.getParent());
    Path partial = absolute.resolveSibling(absolute.getFileName() + ".part");
    Files.writeString(partial, text);
    Files.move(partial, absolute, StandardCopyOption.REPLACE_EXISTING);
  }
}
