package io.attune.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/** The version Maven stamped into the build, with the Java runtime it runs on. */
final class VersionProvider implements IVersionProvider {

  @Override
  public String[] getVersion() {
    Properties props = new Properties();
    try (InputStream in = Attune.class.getResourceAsStream("/attune-version.properties")) {
      if (in != null) {
        props.load(in);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read attune-version.properties from the jar", e);
    }
    return new String[] {
      "attune " + props.getProperty("version", "(unknown version)"),
      "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ")"
    };
  }
}
