package io.attune.adaptation.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.attune.adaptation.model.InvalidModelException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Where one ONNX Runtime session spent its time, read from the profile it writes when it
 * closes ({@link RuntimeOptions#withProfiling}): kernel time per operator type, per run.
 * Profiling adds a few microseconds to every node, so graphs of many small nodes look slower
 * than they run; compare operator shares, and time without profiling.
 *
 * @param graph the graph's name
 * @param runs how many times the session ran
 * @param runMillis mean wall time of one run, as ONNX Runtime measured it
 * @param operators kernel time per operator type, most expensive first
 */
public record OrtProfile(String graph, int runs, double runMillis, List<Operator> operators) {

  /**
   * One operator type's share of a run.
   *
   * @param type ONNX operator type, or one ONNX Runtime inserted (ReorderInput, ReorderOutput:
   *     conversions to and from its blocked convolution layout)
   * @param millisPerRun kernel time summed over the type's nodes, per run
   * @param nodes nodes of the type that ran in each run
   */
  public record Operator(String type, double millisPerRun, int nodes) {}

  /** Kernel time of all operators, per run. */
  public double kernelMillis() {
    return operators.stream().mapToDouble(Operator::millisPerRun).sum();
  }

  public int nodes() {
    return operators.stream().mapToInt(Operator::nodes).sum();
  }

  /** The newest profile of {@code graph} in {@code directory}, if any. */
  public static Optional<OrtProfile> find(Path directory, String graph) {
    try (Stream<Path> files = Files.list(directory)) {
      return files.filter(f -> f.getFileName().toString().startsWith(graph + "_")
              && f.getFileName().toString().endsWith(".json"))
          .max(Comparator.comparing(f -> f.getFileName().toString()))
          .map(f -> read(f, graph));
    } catch (IOException e) {
      throw new InvalidModelException(directory + ": cannot list profiles: " + e.getMessage(), e);
    }
  }

  /** Reads ONNX Runtime's profile (a Chrome trace: an array of events). */
  public static OrtProfile read(Path file, String graph) {
    JsonNode events;
    try {
      events = new ObjectMapper().readTree(file.toFile());
    } catch (IOException e) {
      throw new InvalidModelException(file + ": not an ONNX Runtime profile: " + e.getMessage(),
          e);
    }
    if (events == null || !events.isArray()) {
      throw new InvalidModelException(file + ": not an ONNX Runtime profile (no event array)");
    }
    int runs = 0;
    double runMicros = 0;
    Map<String, double[]> byType = new LinkedHashMap<>();
    for (JsonNode event : events) {
      String category = event.path("cat").asText();
      String name = event.path("name").asText();
      double micros = event.path("dur").asDouble();
      if (category.equals("Session") && name.equals("model_run")) {
        runs++;
        runMicros += micros;
      } else if (category.equals("Node") && name.endsWith("_kernel_time")) {
        String type = event.path("args").path("op_name").asText("?");
        double[] acc = byType.computeIfAbsent(type, k -> new double[2]);
        acc[0] += micros;
        acc[1]++;
      }
    }
    List<Operator> operators = new ArrayList<>();
    int perRun = Math.max(1, runs);
    for (Map.Entry<String, double[]> e : byType.entrySet()) {
      operators.add(new Operator(e.getKey(), e.getValue()[0] / perRun / 1000,
          (int) Math.round(e.getValue()[1] / perRun)));
    }
    operators.sort(Comparator.comparingDouble(Operator::millisPerRun).reversed());
    return new OrtProfile(graph, runs, runs == 0 ? 0 : runMicros / runs / 1000,
        List.copyOf(operators));
  }
}
