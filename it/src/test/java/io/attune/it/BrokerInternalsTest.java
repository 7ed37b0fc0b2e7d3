package io.attune.it;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import io.attune.topology.archfixture.TopologyClassUsingBrokerInternals;
import org.junit.jupiter.api.Test;

/**
 * Kafka's server classes (the broker, controller, storage formatting, Scala) are internal to
 * Kafka and change between releases; only the embedded broker uses them, behind an API that
 * names none of them.
 */
class BrokerInternalsTest {

  static final ArchRule ONLY_THE_EMBEDDED_BROKER_USES_KAFKA_SERVER_CLASSES = noClasses()
      .that().resideOutsideOfPackage("io.attune.broker..")
      .should().dependOnClassesThat().resideInAnyPackage("kafka..", "scala..",
          "org.apache.kafka.server..", "org.apache.kafka.metadata..", "org.apache.kafka.raft..",
          "org.apache.kafka.controller..", "org.apache.kafka.storage..")
      .because("Kafka's server internals change between releases; io.attune.broker "
          + "wraps them in an API of its own, and workers and edges talk to any broker through "
          + "the clients only");

  @Test
  void onlyTheEmbeddedBrokerUsesKafkaServerClasses() {
    ONLY_THE_EMBEDDED_BROKER_USES_KAFKA_SERVER_CLASSES.check(new ClassFileImporter()
        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages("io.attune"));
  }

  @Test
  void ruleRejectsServerClassesOutsideTheEmbeddedBroker() {
    JavaClasses violation = new ClassFileImporter()
        .importClasses(TopologyClassUsingBrokerInternals.class);

    assertThatThrownBy(() -> ONLY_THE_EMBEDDED_BROKER_USES_KAFKA_SERVER_CLASSES.check(violation))
        .hasMessageContaining("TopologyClassUsingBrokerInternals");
  }
}
