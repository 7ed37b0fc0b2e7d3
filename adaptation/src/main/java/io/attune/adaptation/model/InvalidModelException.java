package io.attune.adaptation.model;

/**
 * A model file or its description cannot be used: the message names the file and what is wrong
 * with it, so that a user can fix it without reading a stack trace.
 */
public final class InvalidModelException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public InvalidModelException(String message) {
    super(message);
  }

  public InvalidModelException(String message, Throwable cause) {
    super(message, cause);
  }
}
