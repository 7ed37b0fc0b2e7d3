package io.attune.adaptation.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A data file that does not hold what its header, its format or its caller says it holds: bad
 * magic, unknown element type, truncated header or data, trailing bytes, impossible shape, or an
 * images file and a labels file whose counts differ.
 *
 * <p>The message always starts with the file path and states the problem with its numbers, for
 * example {@code t10k-images-idx3-ubyte.gz: truncated data: header promises 10000 x 28 x 28 uint8
 * = 7840000 bytes, file ends after 123 bytes of data}.
 */
public final class MalformedDataException extends IOException {

  private static final long serialVersionUID = 1L;

  /** Transient because {@link Path} is not serializable; the message keeps the path anyway. */
  private final transient Path file;
  private final String problem;

  /**
   * @param file the file at fault, named first in the message
   * @param problem what is wrong, with the numbers that show it
   */
  public MalformedDataException(final Path file, final String problem) {
    this(file, problem, null);
  }

  /**
   * @param file the file at fault, named first in the message
   * @param problem what is wrong, with the numbers that show it
   * @param cause the low-level exception (gzip, parse) this one explains, or null
   */
  public MalformedDataException(final Path file, final String problem, final Throwable cause) {
    super(Objects.requireNonNull(file, "file") + ": " + Objects.requireNonNull(problem, "problem"),
        cause);
    this.file = file;
    this.problem = problem;
  }

  /** The file at fault (null after deserialization). */
  public Path file() {
    return file;
  }

  /** The problem without the file prefix. */
  public String problem() {
    return problem;
  }
}
