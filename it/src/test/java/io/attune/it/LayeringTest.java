package io.attune.it;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import io.attune.adaptation.archfixture.AdaptationClassUsingKafka;
import io.attune.edge.archfixture.EdgeClassUsingKafkaStreams;
import io.attune.topology.archfixture.TopologyClassUsingOnnxRuntime;
import org.junit.jupiter.api.Test;

/**
 * The layering of DESIGN.md, checked on the compiled classes of every module. The Maven
 * enforcer already keeps Kafka and Avro off adaptation's classpath; these rules also catch
 * imports that the classpath would allow (topology sees ONNX Runtime transitively).
 */
class LayeringTest {

  private static final JavaClasses PRODUCTION = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      .importPackages("io.attune");

  static final ArchRule ADAPTATION_IS_PURE = noClasses()
      .that().resideInAPackage("io.attune.adaptation..")
      .should().dependOnClassesThat().resideInAnyPackage("org.apache.kafka..", "org.apache.avro..")
      .because("adaptation is the pure library of models and methods; Kafka and Avro are mapped "
          + "onto its types in topology and edge only");

  // Empty until the topology and edge modules hold classes; the fixture tests below show the
  // rules bite as soon as one does.
  static final ArchRule TOPOLOGY_LEAVES_ONNX_TO_ADAPTATION = noClasses()
      .that().resideInAPackage("io.attune.topology..")
      .should().dependOnClassesThat().resideInAPackage("ai.onnxruntime..")
      .because("the topology moves records and state; models run behind adaptation's API so that "
          + "the engine can change without touching Kafka code")
      .allowEmptyShould(true);

  static final ArchRule EDGE_NEEDS_NO_STREAMS = noClasses()
      .that().resideInAPackage("io.attune.edge..")
      .should().dependOnClassesThat().resideInAnyPackage("org.apache.kafka.streams..",
          "kafka..", "org.apache.kafka.server..")
      .because("an edge device runs kafka-clients at most, never Kafka Streams or a broker")
      .allowEmptyShould(true);

  static final ArchRule EDGE_INTERNALS_STAY_INSIDE = noClasses()
      .that().resideOutsideOfPackage("io.attune.edge..")
      .should().dependOnClassesThat().resideInAPackage("io.attune.edge.internal..")
      .because("io.attune.edge is the edge SDK's API; its internal package may change without "
          + "notice");

  @Test
  void adaptationImportsNeitherKafkaNorAvro() {
    ADAPTATION_IS_PURE.check(PRODUCTION);
  }

  @Test
  void topologyDoesNotImportOnnxRuntime() {
    TOPOLOGY_LEAVES_ONNX_TO_ADAPTATION.check(PRODUCTION);
  }

  @Test
  void edgeDoesNotImportKafkaStreams() {
    EDGE_NEEDS_NO_STREAMS.check(PRODUCTION);
  }

  @Test
  void onlyTheEdgeSdkUsesItsInternals() {
    EDGE_INTERNALS_STAY_INSIDE.check(PRODUCTION);
  }

  @Test
  void rulesRejectClassesThatBreakTheLayering() {
    JavaClasses violations = new ClassFileImporter().importClasses(
        AdaptationClassUsingKafka.class,
        TopologyClassUsingOnnxRuntime.class,
        EdgeClassUsingKafkaStreams.class);

    assertThatThrownBy(() -> ADAPTATION_IS_PURE.check(violations))
        .hasMessageContaining("AdaptationClassUsingKafka");
    assertThatThrownBy(() -> TOPOLOGY_LEAVES_ONNX_TO_ADAPTATION.check(violations))
        .hasMessageContaining("TopologyClassUsingOnnxRuntime");
    assertThatThrownBy(() -> EDGE_NEEDS_NO_STREAMS.check(violations))
        .hasMessageContaining("EdgeClassUsingKafkaStreams");
  }
}
