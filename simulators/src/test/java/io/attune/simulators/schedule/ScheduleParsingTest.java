package io.attune.simulators.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.attune.simulators.corruption.Corruptions;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ScheduleParsingTest {

  @Test
  void aNameAndSeverityIsOneDomain() {
    final Schedule schedule = Schedule.parse("gaussian_noise:5");

    assertThat(schedule).isEqualTo(Schedule.single(new Domain(Corruptions.GAUSSIAN_NOISE, 5)));
    assertThat(schedule.stages()).extracting(Stage::corruption, Stage::severity)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("gaussian_noise", 5));
  }

  @Test
  void continualListsDomainsInOrderAndAcceptsAliasesCaseAndSpaces() {
    final Schedule schedule = Schedule.parse(" Continual: gaussian_noise:5, FOG:3 ,jpeg:1,clean");

    assertThat(schedule.kind()).isEqualTo(Schedule.Kind.CONTINUAL);
    assertThat(schedule.domains()).containsExactly(
        new Domain(Corruptions.GAUSSIAN_NOISE, 5), new Domain(Corruptions.FOG, 3),
        new Domain(Corruptions.JPEG_COMPRESSION, 1), new Domain(Corruptions.CLEAN, 0));
    assertThat(schedule.spec())
        .isEqualTo("continual:gaussian_noise:5,fog:3,jpeg_compression:1,clean");
  }

  @Test
  void gradualRampsEachCorruptionUpToItsPeakAndDown() {
    final Schedule schedule = Schedule.parse("gradual:gaussian_noise,fog:3");

    assertThat(schedule.stages()).extracting(Stage::domain).extracting(Domain::spec)
        .containsExactly("gaussian_noise:1", "gaussian_noise:2", "gaussian_noise:3",
            "gaussian_noise:4", "gaussian_noise:5", "gaussian_noise:4", "gaussian_noise:3",
            "gaussian_noise:2", "gaussian_noise:1", "fog:1", "fog:2", "fog:3", "fog:2", "fog:1");
    assertThat(schedule.stages()).extracting(Stage::index)
        .containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13);
  }

  @Test
  void modifiersSetClassOrderShuffleOpenSetAndLength() {
    final Schedule schedule =
        Schedule.parse("mixed:gaussian_noise:5,fog:5+dirichlet:0.1+shuffle+openset:0.2"
            + "+samples:300");

    assertThat(schedule.kind()).isEqualTo(Schedule.Kind.MIXED);
    assertThat(schedule.labelShift()).isEqualTo(new LabelShift.Dirichlet(0.1));
    assertThat(schedule.shuffle()).isTrue();
    assertThat(schedule.openSet()).isEqualTo(0.2);
    assertThat(schedule.samplesPerDomain()).isEqualTo(OptionalInt.of(300));
    assertThat(schedule.spec())
        .isEqualTo("mixed:gaussian_noise:5,fog:5+shuffle+dirichlet:0.1+openset:0.2+samples:300");
  }

  @ParameterizedTest
  @ValueSource(strings = {"fog:2", "continual:clean,rotate:3+sorted",
      "gradual:contrast,pixelate:4+samples:100", "mixed:shot_noise:5,zoom:2+openset:0.05+shuffle",
      "single:motion_blur:1+dirichlet:0.01"})
  void theCanonicalSpecAndTheJsonParseBackToTheSameSchedule(String spec) {
    final Schedule schedule = Schedule.parse(spec);

    assertThat(Schedule.parse(schedule.spec())).isEqualTo(schedule);
    assertThat(Schedule.parse(schedule.toJson())).isEqualTo(schedule);
  }

  @Test
  void jsonDescribesTheSameScheduleAsTheCompactSyntax() {
    final Schedule json = Schedule.parse("""
        {"kind": "continual",
         "domains": [{"corruption": "gaussian_noise", "severity": 5},
                     {"corruption": "jpeg", "severity": 2}, {"corruption": "clean"}],
         "labelShift": {"kind": "sorted"},
         "openSet": 0.1,
         "samplesPerDomain": 500}
        """);

    assertThat(json).isEqualTo(
        Schedule.parse("continual:gaussian_noise:5,jpeg:2,clean+sorted+openset:0.1+samples:500"));
  }

  @Test
  void jsonGradualDomainsMayOmitThePeak() {
    assertThat(Schedule.parse(
        "{\"kind\": \"gradual\", \"domains\": [{\"corruption\": \"fog\"}]}").domains())
        .containsExactly(new Domain(Corruptions.FOG, 5));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "continual:gausian_noise:5 | unknown corruption 'gausian_noise' (valid: clean, "
          + "gaussian_noise, shot_noise, impulse_noise, speckle_noise, defocus_blur, "
          + "motion_blur, gaussian_blur, contrast, brightness, fog, pixelate, jpeg_compression, "
          + "elastic_transform, rotate, translate, scale, shear)",
      "contnual:fog:5 | unknown corruption or schedule kind 'contnual' (kinds: single, "
          + "continual, gradual, mixed; corruptions: clean,",
      "fog:7 | severity '7' in 'fog:7' must be 1 to 5",
      "fog:high | severity 'high' in 'fog:high' must be 1 to 5",
      "continual:fog:5,fog | 'fog' needs a severity, e.g. fog:5",
      "continual:fog:5,,jpeg:2 | empty domain in 'fog:5,,jpeg:2'",
      "fog:5+sort | unknown modifier '+sort' (valid: +sorted, +dirichlet:ALPHA, +shuffle, "
          + "+openset:SHARE, +samples:N)",
      "fog:5+dirichlet | '+dirichlet' needs a value, e.g. +dirichlet:0.1",
      "fog:5+dirichlet:-1 | dirichlet alpha must be positive, got -1.0",
      "fog:5+sorted+dirichlet:0.1 | '+sorted' and '+dirichlet' both set the class order",
      "fog:5+openset:0.95 | openset share must be 0 to 0.9, got 0.95",
      "fog:5+samples:0 | samples per domain must be at least 1, got 0",
      "fog:5+samples:many | '+samples:many' needs a whole number, e.g. +samples:1000",
      "fog:5+sorted+sorted | modifier '+sorted' given twice",
      "fog:5,jpeg:2 | single takes one domain, got 2; use continual: or mixed: for several",
      "gradual:clean | gradual ramps severities; clean has none",
      "clean:3 | 'clean:3': clean takes no severity",
      "+sorted | no domain before the first '+'"})
  void badCompactSpecsFailWithOneLineNamingTheToken(String spec, String problem) {
    assertThatThrownBy(() -> Schedule.parse(spec))
        .isInstanceOf(ScheduleException.class)
        .hasMessageStartingWith("schedule '" + spec + "': " + problem)
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "{\"kind\": \"continual\", \"domain\": [] } | unknown key 'domain' (valid: kind, domains, "
          + "labelShift, shuffle, openSet, samplesPerDomain)",
      "{\"kind\": \"continual\"} | domains is missing",
      "{\"kind\": \"sequence\", \"domains\": []} | kind 'sequence' is not one of single, "
          + "continual, gradual, mixed",
      "{\"kind\": \"continual\", \"domains\": [{\"corruption\": \"fog\", \"severity\": 9}]} "
          + "| domains[0].severity must be 1 to 5, got 9",
      "{\"kind\": \"continual\", \"domains\": [{\"corruption\": \"fog\", \"severity\": \"5\"}]} "
          + "| domains[0].severity must be a whole number, got \"5\"",
      "{\"kind\": \"continual\", \"domains\": [{\"corruption\": \"fgo\", \"severity\": 5}]} "
          + "| domains[0].corruption: unknown corruption 'fgo' (valid: clean,",
      "{\"kind\": \"continual\", \"domains\": [{\"corruption\": \"fog\", \"severity\": 5}], "
          + "\"labelShift\": {\"kind\": \"dirichlet\"}} | labelShift.alpha is missing",
      "{\"kind\": \"continual\", \"domains\": [ | not valid JSON:"})
  void badJsonFailsWithOneLineNamingTheKey(String json, String problem) {
    assertThatThrownBy(() -> Schedule.parse(json))
        .isInstanceOf(ScheduleException.class)
        .hasMessageContaining("': " + problem)
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
  }

  @Test
  void multiLineJsonIsQuotedOnOneLine() {
    assertThatThrownBy(() -> Schedule.parse("{\n  \"kind\": \"single\",\n  \"domains\": []\n}"))
        .hasMessage("schedule '{ \"kind\": \"single\", \"domains\": [] }': single needs at least "
            + "one domain");
  }

  @Test
  void schedulesAreValuesWithCopiedLists() {
    final List<Domain> domains = new java.util.ArrayList<>(List.of(
        new Domain(Corruptions.FOG, 1)));
    final Schedule schedule = Schedule.continual(domains);
    domains.clear();

    assertThat(schedule.domains()).hasSize(1);
  }
}
