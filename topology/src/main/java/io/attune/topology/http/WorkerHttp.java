package io.attune.topology.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.attune.adaptation.drift.MonitorStateCodec;
import io.attune.adaptation.method.MethodStateCodec;
import io.attune.schemas.DriftAlert;
import io.attune.topology.TopologyNames;
import io.attune.topology.metrics.WorkerMetrics;
import io.attune.topology.processor.CohortProgress;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * The worker's read-only HTTP API on the JDK's own server (no web framework to pull in):
 * {@code /health} (200 unless the streams client failed), {@code /ready} (200 once running),
 * {@code /metrics} (Prometheus), {@code /cohorts} and {@code /cohorts/MODEL/COHORT} (version,
 * steps, samples, buffered, latest diagnostics, and for a monitored cohort its open alerts,
 * accuracy estimates and what the guard publishes, of the cohorts this instance hosts, read from
 * its state stores by interactive queries), {@code /alerts} (the open alerts of those cohorts).
 */
public final class WorkerHttp implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper()
      .enable(SerializationFeature.INDENT_OUTPUT);

  private final HttpServer server;
  private final KafkaStreams streams;
  private final WorkerMetrics metrics;

  private WorkerHttp(HttpServer server, KafkaStreams streams, WorkerMetrics metrics) {
    this.server = server;
    this.streams = streams;
    this.metrics = metrics;
  }

  /** Starts serving on {@code host:port} (port 0: any free port). */
  public static WorkerHttp start(String host, int port, KafkaStreams streams,
      WorkerMetrics metrics) {
    try {
      HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 0);
      WorkerHttp http = new WorkerHttp(server, streams, metrics);
      server.createContext("/health", ex -> http.health(ex));
      server.createContext("/ready", ex -> http.ready(ex));
      server.createContext("/metrics", ex -> send(ex, 200, "text/plain; version=0.0.4",
          metrics.scrape()));
      server.createContext("/cohorts", ex -> http.cohorts(ex));
      server.createContext("/alerts", ex -> http.alerts(ex));
      server.setExecutor(Executors.newFixedThreadPool(2, r -> {
        Thread t = new Thread(r, "attune-http");
        t.setDaemon(true);
        return t;
      }));
      server.start();
      return http;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot serve HTTP on " + host + ":" + port + ": "
          + e.getMessage(), e);
    }
  }

  public int port() {
    return server.getAddress().getPort();
  }

  private void health(HttpExchange ex) throws IOException {
    KafkaStreams.State state = streams.state();
    boolean healthy = state != KafkaStreams.State.ERROR
        && state != KafkaStreams.State.NOT_RUNNING && state != KafkaStreams.State.PENDING_ERROR;
    send(ex, healthy ? 200 : 503, "application/json", "{\"state\":\"" + state + "\"}\n");
  }

  private void ready(HttpExchange ex) throws IOException {
    KafkaStreams.State state = streams.state();
    send(ex, state == KafkaStreams.State.RUNNING ? 200 : 503, "application/json",
        "{\"state\":\"" + state + "\"}\n");
  }

  private void cohorts(HttpExchange ex) throws IOException {
    String path = ex.getRequestURI().getPath().replaceFirst("^/cohorts/?", "");
    Map<String, Map<String, Object>> all;
    try {
      all = cohortViews();
    } catch (InvalidStateStoreException e) {
      send(ex, 503, "application/json", "{\"error\":\"state stores not ready: "
          + e.getMessage().replace("\"", "'") + "\"}\n");
      return;
    }
    if (path.isEmpty()) {
      send(ex, 200, "application/json", JSON.writeValueAsString(all));
    } else if (all.containsKey(path)) {
      send(ex, 200, "application/json", JSON.writeValueAsString(all.get(path)));
    } else {
      send(ex, 404, "application/json", "{\"error\":\"no cohort '" + path.replace("\"", "'")
          + "' on this worker\"}\n");
    }
  }

  private void alerts(HttpExchange ex) throws IOException {
    Map<String, Object> open = new TreeMap<>();
    try {
      cohortViews().forEach((cohort, view) -> {
        Object drift = view.get("drift");
        if (drift instanceof Map<?, ?> d && !((java.util.List<?>) d.get("openAlerts")).isEmpty()) {
          open.put(cohort, drift);
        }
      });
    } catch (InvalidStateStoreException e) {
      send(ex, 503, "application/json", "{\"error\":\"state stores not ready: "
          + e.getMessage().replace("\"", "'") + "\"}\n");
      return;
    }
    send(ex, 200, "application/json", JSON.writeValueAsString(open));
  }

  private Map<String, Map<String, Object>> cohortViews() {
    ReadOnlyKeyValueStore<String, byte[]> progress = store(TopologyNames.COHORT_PROGRESS_STORE);
    ReadOnlyKeyValueStore<String, byte[]> states = store(TopologyNames.METHOD_STATE_STORE);
    ReadOnlyKeyValueStore<String, byte[]> monitors = store(TopologyNames.DRIFT_MONITOR_STORE);
    Map<String, Map<String, DriftAlert>> raised = metrics.openAlerts();
    Map<String, WorkerMetrics.LatestStep> latest = metrics.latestSteps();
    Map<String, Map<String, Object>> views = new TreeMap<>();
    try (KeyValueIterator<String, byte[]> it = progress.all()) {
      while (it.hasNext()) {
        KeyValue<String, byte[]> kv = it.next();
        CohortProgress p = CohortProgress.decode(kv.value);
        byte[] state = states.get(kv.key);
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("version", state == null ? 0 : MethodStateCodec.decode(state).version());
        view.put("steps", p.steps());
        view.put("samplesAdapted", p.adapted());
        view.put("buffered", p.buffered());
        view.put("latestStep", latest.get(kv.key));
        byte[] monitor = monitors.get(kv.key);
        if (monitor != null) {
          view.put("drift", driftView(MonitorStateCodec.decode(monitor),
              raised.getOrDefault(kv.key, Map.of())));
        }
        views.put(kv.key, view);
      }
    }
    return views;
  }

  /**
   * Open alerts (with the RAISED record's details when this instance published it), estimates,
   * and what the guard publishes.
   */
  private static Map<String, Object> driftView(
      io.attune.adaptation.drift.DriftMonitor.State state, Map<String, DriftAlert> raised) {
    WorkerMetrics.LatestDrift d = WorkerMetrics.LatestDrift.of(state);
    java.util.List<Map<String, Object>> open = new java.util.ArrayList<>();
    for (String signal : d.openAlerts()) {
      Map<String, Object> alert = new LinkedHashMap<>();
      alert.put("signal", signal);
      DriftAlert a = raised.get(signal);
      if (a != null) {
        alert.put("firstBatch", a.getFirstBatch());
        alert.put("raisedAt", a.getTime().toString());
        alert.put("score", a.getScore());
        alert.put("threshold", a.getThreshold());
        alert.put("summary", a.getSummary());
      }
      open.add(alert);
    }
    Map<String, Object> view = new LinkedHashMap<>();
    view.put("batches", state.batches());
    view.put("openAlerts", open);
    view.put("detectorsInAlarm", d.detectorsInAlarm());
    view.put("adaptedAccuracyEstimate", finiteOrNull(d.adaptedEstimate()));
    view.put("sourceAccuracyEstimate", finiteOrNull(d.sourceEstimate()));
    view.put("publishing", d.publishingAdapted() ? "adapted" : "source");
    return view;
  }

  private static Double finiteOrNull(double v) {
    return Double.isFinite(v) ? v : null;
  }

  private ReadOnlyKeyValueStore<String, byte[]> store(String name) {
    return streams.store(StoreQueryParameters.fromNameAndType(name,
        QueryableStoreTypes.<String, byte[]>keyValueStore()));
  }

  private static void send(HttpExchange ex, int status, String type, String body)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", type);
    ex.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
