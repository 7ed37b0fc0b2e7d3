package io.attune.simulators.evaluation;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.attune.adaptation.eval.RunReport;
import io.attune.adaptation.eval.StreamEvaluation;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Every run of a results page as JSON ({@code docs/results.json} beside the page), so that
 * programs can read the numbers and a later run can take over the runs it does not need to
 * measure again: adding a method to the page then costs that method's runs, not hours of
 * re-running the others. A run is taken over only for the same bundle (by the SHA-256 of the
 * model it was prepared from) and the same section (schedule, batch, reset, images per domain);
 * the page says which runs were taken over and from when.
 */
public final class ResultsArchive {

  /** Name and version of the JSON layout. */
  public static final String FORMAT = "attune-results/1";

  private static final ObjectMapper JSON = new ObjectMapper()
      .enable(SerializationFeature.INDENT_OUTPUT);

  /**
   * Runs read back, by section and method.
   *
   * @param model the bundle's source model SHA-256 (or its name when it has none)
   * @param date when the archived page was made
   */
  public record Archive(String model, String date,
      Map<String, Map<String, RunReport>> runs) {

    /** Nothing to take over. */
    public static Archive empty() {
      return new Archive("", "", Map.of());
    }

    /** The archived run of {@code method} in the section, if there is one. */
    public Optional<RunReport> run(String section, String method) {
      return Optional.ofNullable(runs.getOrDefault(section, Map.of()).get(method));
    }
  }

  private ResultsArchive() {}

  /** The key of a section: what must match for a run to be taken over. */
  public static String sectionKey(String schedule, int batch, StreamEvaluation.Reset reset,
      int samplesPerDomain) {
    return schedule + "|batch " + batch + "|reset " + RunReport.resetName(reset) + "|"
        + samplesPerDomain + " per domain";
  }

  static String sectionKey(Results.Section s) {
    return sectionKey(s.schedule(), s.batch(), s.reset(), s.samplesPerDomain());
  }

  /** The JSON document of {@code results}. */
  public static String toJson(Results results, String model, String date) {
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("format", FORMAT);
    root.put("model", model);
    root.put("date", date);
    root.put("seconds", results.seconds());
    List<Map<String, Object>> sections = new ArrayList<>();
    for (Results.Section s : results.sections()) {
      Map<String, Object> section = new LinkedHashMap<>();
      section.put("schedule", s.schedule());
      section.put("batch", s.batch());
      section.put("reset", RunReport.resetName(s.reset()));
      section.put("samplesPerDomain", s.samplesPerDomain());
      section.put("runs", s.runs().stream().map(RunReport::toMap).toList());
      sections.add(section);
    }
    root.put("sections", sections);
    try {
      return JSON.writeValueAsString(root) + "\n";
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException("cannot write the results as JSON", e);
    }
  }

  /** Writes the document, replacing {@code file} only once the new one is complete. */
  public static void write(Results results, String model, String date, Path file)
      throws IOException {
    Path absolute = file.toAbsolutePath();
    Files.createDirectories(absolute.getParent());
    Path partial = absolute.resolveSibling(absolute.getFileName() + ".part");
    Files.writeString(partial, toJson(results, model, date));
    Files.move(partial, absolute, StandardCopyOption.REPLACE_EXISTING);
  }

  /**
   * Reads an archive.
   *
   * @throws IllegalArgumentException naming the file when it is missing or not a
   *     {@value #FORMAT} document
   */
  public static Archive read(Path file) {
    JsonNode root;
    try {
      root = JSON.readTree(Files.readString(file));
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException(file + ": no such results archive");
    } catch (IOException e) {
      throw new IllegalArgumentException(file + ": not a results archive: " + e.getMessage());
    }
    if (root == null || !FORMAT.equals(root.path("format").asText())) {
      throw new IllegalArgumentException(file + ": not an " + FORMAT + " document");
    }
    Map<String, Map<String, RunReport>> runs = new HashMap<>();
    try {
      for (JsonNode s : root.path("sections")) {
        String reset = s.path("reset").asText();
        String key = sectionKey(s.path("schedule").asText(), s.path("batch").asInt(),
            reset.equals("never") ? StreamEvaluation.Reset.NEVER
                : StreamEvaluation.Reset.PER_DOMAIN, s.path("samplesPerDomain").asInt());
        Map<String, RunReport> byMethod = runs.computeIfAbsent(key, k -> new LinkedHashMap<>());
        for (JsonNode r : s.path("runs")) {
          RunReport report = RunReport.fromJson(r);
          byMethod.put(report.method(), report);
        }
      }
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(file + ": " + e.getMessage());
    }
    return new Archive(root.path("model").asText(), root.path("date").asText(), runs);
  }
}
