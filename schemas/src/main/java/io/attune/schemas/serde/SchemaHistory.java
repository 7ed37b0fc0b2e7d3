package io.attune.schemas.serde;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;

/**
 * The released versions of a record's schema, kept as resources
 * {@code io/attune/schemas/history/RECORD/v1.avsc}, {@code v2.avsc}, ... numbered from 1 without
 * gaps. Each file is self-contained (named types such as Tensor are defined inline, as they were in
 * that version), so it is exactly the writer schema of that version's records.
 */
final class SchemaHistory {

  static final String ROOT = "io/attune/schemas/history/";

  private SchemaHistory() {}

  /**
   * Every released version of {@code recordName}, oldest first.
   *
   * @throws IllegalStateException naming the resource if there is no {@code v1.avsc} or a file
   *     does not parse; a packaging bug, not an input error
   */
  static List<Schema> load(String recordName) {
    final List<Schema> versions = new ArrayList<>();
    for (int version = 1; ; version++) {
      final String resource = resource(recordName, version);
      try (InputStream in = SchemaHistory.class.getClassLoader().getResourceAsStream(resource)) {
        if (in == null) {
          break;
        }
        versions.add(new Schema.Parser().parse(in));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read schema resource " + resource, e);
      } catch (SchemaParseException e) {
        throw new IllegalStateException("schema resource " + resource + " does not parse: "
            + e.getMessage(), e);
      }
    }
    if (versions.isEmpty()) {
      throw new IllegalStateException("no schema history for " + recordName + ": resource "
          + resource(recordName, 1) + " is missing");
    }
    return List.copyOf(versions);
  }

  /** The resource path of one version. */
  static String resource(String recordName, int version) {
    return ROOT + recordName + "/v" + version + ".avsc";
  }
}
