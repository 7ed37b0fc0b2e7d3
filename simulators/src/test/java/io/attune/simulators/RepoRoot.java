package io.attune.simulators;

import java.nio.file.Files;
import java.nio.file.Path;

/** Finds the repository root for tests on the data and model shipped with it. */
public final class RepoRoot {

  private RepoRoot() {}

  /**
   * The directory Surefire names in {@code attune.root}, or else the nearest directory above the
   * working directory that holds {@code data/fashion-mnist}, for runs from an IDE.
   */
  public static Path find() {
    final String configured = System.getProperty("attune.root");
    if (configured != null && !configured.isBlank()
        && Files.isDirectory(Path.of(configured, "data", "fashion-mnist"))) {
      return Path.of(configured);
    }
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.isDirectory(dir.resolve("data").resolve("fashion-mnist"))) {
        return dir;
      }
    }
    throw new IllegalStateException("no data/fashion-mnist above " + Path.of("").toAbsolutePath()
        + " and attune.root is " + configured);
  }
}
