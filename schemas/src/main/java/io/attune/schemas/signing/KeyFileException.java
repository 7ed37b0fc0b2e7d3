package io.attune.schemas.signing;

import java.io.IOException;
import java.nio.file.Path;

/** A key file that is missing, unreadable or not the expected PEM key; the message names it. */
public final class KeyFileException extends IOException {

  private static final long serialVersionUID = 1L;

  private final transient Path file;

  KeyFileException(Path file, String problem, Throwable cause) {
    super(file + ": " + problem, cause);
    this.file = file;
  }

  /** The file at fault. */
  public Path file() {
    return file;
  }
}
